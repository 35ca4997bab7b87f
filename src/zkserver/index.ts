// Public entry of the ZooKeeper server launcher.
export {
  findZooKeeper,
  findJava,
  startZooKeeper,
  fourLetterWord,
  renderZooCfg,
  INSTALL_HINT,
  JAVA_HINT,
  type ZooKeeperInstallation,
  type ZooKeeperOptions,
  type ZooKeeperProcess,
} from './ZooKeeperServer';
