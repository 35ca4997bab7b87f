// `brook certs --dir <d>`: a throwaway CA with broker and client certificates for trying TLS locally (PEM, and
// PKCS12 stores), made with the openssl command; prints the broker and client properties that use them.
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../client';
import { makeCerts, type CertsResult } from '../../util/certs';

export { makeCerts, type CertsResult, type CertsOptions } from '../../util/certs';

/** The properties a broker and a client need to use the certificates. */
export function certsProperties(r: CertsResult): string {
  const client = Object.values(r.clients)[0];
  return [
    '# broker (server.properties): an SSL listener with PEM files, clients must show a certificate of this CA',
    'listeners=PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9093',
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${r.dir}/broker-keystore.pem`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${r.caPem}`,
    'ssl.client.auth=required',
    '# or PKCS12:',
    `#   ssl.keystore.type=PKCS12  ssl.keystore.location=${r.brokerP12}  ssl.keystore.password=${r.password}`,
    `#   ssl.truststore.type=PKCS12  ssl.truststore.location=${r.truststoreP12}  ssl.truststore.password=${r.password}`,
    '',
    '# client (--command-config, kafka-console-*.sh --command-config / --producer.config):',
    'security.protocol=SSL',
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${r.caPem}`,
    'ssl.keystore.type=PEM',
    client ? `ssl.keystore.location=${r.dir}/${path.basename(client.pem, '.pem')}-keystore.pem` : '',
    '',
    '# kcat:',
    client ? `#   kcat -b 127.0.0.1:9093 -X security.protocol=ssl -X ssl.ca.location=${r.caPem} -X ssl.certificate.location=${client.pem} -X ssl.key.location=${client.key} -L` : '',
  ].join('\n');
}

export function registerCerts(program: Command): void {
  program
    .command('certs')
    .description('make a throwaway CA with broker and client certificates for local TLS (needs openssl)')
    .requiredOption('--dir <dir>', 'directory to write the certificates to')
    .option('--host <name>', 'host name or IP the broker certificate is valid for (repeatable; default localhost and 127.0.0.1)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--client <cn>', 'client certificate common name (repeatable; default client)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--password <pw>', 'password of the PKCS12 stores', 'brook-secret')
    .option('--days <n>', 'validity in days', '365')
    .action((o: { dir: string; host: string[]; client: string[]; password: string; days: string }) => {
      if (!/^\d+$/.test(o.days) || Number(o.days) < 1) throw new UsageError(`--days must be a positive integer, got "${o.days}"`);
      const dir = path.resolve(o.dir);
      const r = makeCerts(dir, { hosts: o.host.length ? o.host : undefined, clients: o.client.length ? o.client : undefined, password: o.password, days: Number(o.days) });
      process.stdout.write(`wrote a CA, a broker certificate and ${Object.keys(r.clients).length} client certificate(s) to ${dir}\n\n${certsProperties(r)}\n`);
    });
}
