#!/usr/bin/env node
import { performance } from 'node:perf_hooks';
import { createGatehouse } from './app.js';
import { ConfigError, OPTIONS, resolveConfig } from './config/options.js';
import type { GatehouseConfig } from './config/options.js';
import { writeFileSync } from 'node:fs';
import { exportKickstart, renderExport } from './kickstart/export.js';
import { KickstartError, loadKickstartFile } from './kickstart/kickstart.js';

const USAGE = `Usage: gatehouse <command> [options]

Commands:
  start                 run the server (migrates and applies --kickstart first)
  migrate               apply database migrations and exit
  kickstart FILE        apply a kickstart file and exit
  export [--tenant SLUG] [--users] [FILE]
                        write the configuration as a kickstart file (YAML; JSON for *.json;
                        stdout without FILE); secrets become variables to fill
  keys rotate [--tenant SLUG]
                        give a tenant (default: "default") a new signing key; the old one stays
                        in the JWKS until every token it signed has expired
  help config           print the configuration reference

Options (each also an environment variable; see "gatehouse help config"):
${OPTIONS.map((o) => `  ${o.flag.padEnd(34)} ${o.env}`).join('\n')}
`;

/** Takes a command-specific `--name` switch out of argv. */
function takeSwitch(argv: string[], name: string): boolean {
  const index = argv.indexOf(name);
  if (index >= 0) argv.splice(index, 1);
  return index >= 0;
}

/** Takes the first argument that is neither an option nor an option's value out of argv. */
function takePositional(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i += argv[i].includes('=') ? 1 : 2) {
    if (!argv[i].startsWith('-')) return argv.splice(i, 1)[0];
  }
  return undefined;
}

/** Takes a command-specific `--name value` out of argv. */
function takeOption(argv: string[], name: string): string | undefined {
  const index = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (index < 0) return undefined;
  const [arg] = argv.splice(index, 1);
  if (arg.includes('=')) return arg.slice(arg.indexOf('=') + 1);
  const [value] = argv.splice(index, 1);
  if (value === undefined) throw new ConfigError(`option ${name} needs a value`);
  return value;
}

function configReference(): string {
  const rows = OPTIONS.map((o) => `| ${o.key === 'configFile' ? '—' : `\`${o.key}\``} | \`${o.flag}\` | \`${o.env}\` | ${o.default === undefined || String(o.default) === '' ? '—' : `\`${String(o.default)}\``} | ${o.doc} |`);
  const precedence = 'A flag wins over its environment variable, which wins over the `--config` file (its keys are the names of the first column), which wins over the default.';
  return [precedence, '', '| name (`--config` file) | flag | environment | default | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}

async function start(config: Readonly<GatehouseConfig>): Promise<void> {
  const gatehouse = await createGatehouse({ config });
  const url = await gatehouse.listen();
  if (gatehouse.generatedApiKey) {
    // Shown once, on the terminal only; it is stored hashed and never logged.
    process.stdout.write(`\nGenerated a superuser API key (shown once, store it now):\n\n  ${gatehouse.generatedApiKey}\n\n`);
  }
  gatehouse.server.log.info({ url, publicUrl: config.publicUrl, readyMs: Math.round(performance.now()), kickstart: gatehouse.kickstart }, 'gatehouse ready');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    gatehouse.server.log.info({ signal }, 'draining');
    const force = setTimeout(() => {
      gatehouse.server.log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    gatehouse.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function main(argv: string[]): Promise<number> {
  const command = argv.shift();
  switch (command) {
    case 'start':
      await start(resolveConfig({ argv, env: process.env }));
      return -1;
    case 'migrate': {
      const gatehouse = await createGatehouse({ config: resolveConfig({ argv, env: process.env, overrides: { logLevel: 'warn' } }) });
      await gatehouse.close();
      console.log('migrations applied');
      return 0;
    }
    case 'kickstart': {
      const file = argv.shift();
      if (!file) throw new ConfigError('kickstart needs a FILE');
      const document = loadKickstartFile(file);
      const gatehouse = await createGatehouse({ config: resolveConfig({ argv, env: process.env, overrides: { logLevel: 'warn' } }) });
      try {
        const summary = await gatehouse.applyKickstart(document);
        console.log(JSON.stringify(summary, null, 2));
      } finally {
        await gatehouse.close();
      }
      return 0;
    }
    case 'export': {
      const tenantSlug = takeOption(argv, '--tenant');
      const users = takeSwitch(argv, '--users');
      const file = takePositional(argv);
      // Reads only: a kickstart file named in the environment is not applied.
      const gatehouse = await createGatehouse({ config: resolveConfig({ argv, env: process.env, overrides: { logLevel: 'warn', kickstart: undefined } }) });
      try {
        const text = renderExport(await exportKickstart(gatehouse.services.store, { tenantSlug, users }), file && /\.json$/i.test(file) ? 'json' : 'yaml');
        if (file) writeFileSync(file, text, { mode: 0o600 });
        else process.stdout.write(text);
      } finally {
        await gatehouse.close();
      }
      return 0;
    }
    case 'keys': {
      if (argv.shift() !== 'rotate') throw new ConfigError('usage: gatehouse keys rotate [--tenant SLUG]');
      const slug = takeOption(argv, '--tenant') ?? 'default';
      const gatehouse = await createGatehouse({ config: resolveConfig({ argv, env: process.env, overrides: { logLevel: 'warn' } }) });
      try {
        const tenant = await gatehouse.services.tenants.findBySlug(slug);
        if (!tenant) throw new ConfigError(`no tenant with slug ${slug}`);
        const rotated = await gatehouse.services.tenants.rotateSigningKey(tenant.id);
        console.log(`tenant ${slug}: new signing key ${rotated.jwtConfiguration.accessTokenKeyId}`);
      } finally {
        await gatehouse.close();
      }
      return 0;
    }
    case 'help':
      console.log(argv[0] === 'config' ? configReference() : USAGE);
      return 0;
    case undefined:
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new ConfigError(`unknown command ${command}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof KickstartError) {
      console.error(`gatehouse: ${error.message}`);
      process.exitCode = 2;
    } else {
      console.error(`gatehouse: ${(error as Error).message ?? String(error)}`);
      process.exitCode = 1;
    }
  },
);
