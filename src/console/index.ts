// The built-in web console: an HTTP server with a static front end and a JSON API over the Kafka wire protocol
// (src/client) and the brokers' metrics endpoints. Imported by the CLI (`brook console`, `cluster-up`).
export { startConsole, STATIC_DIR, type ConsoleOptions, type RunningConsole } from './server';
export { parseMetricsUrlOption, normaliseMetricsUrl, type MetricsUrlOption } from './metrics';
export { consoleSecurity, parsePropertiesText, type ConsoleSecurity } from './commandConfig';
