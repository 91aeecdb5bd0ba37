import { existsSync, mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Command, Option } from 'commander';
import { REPO_ROOT, directory, inRepository, nonEmpty, runCommand } from '@aset/command-line';
import { K8S_DIR, loadInfraSource, renderInfra, staleWorkerFiles } from './infra.render.js';


const program = new Command('infra:render')
  .description(
    "Render the deployment files that follow a scenario's clusters: compose/compose.yaml (one worker service per cluster), " +
      'k8s/worker-<cluster>.yaml (one Deployment per cluster; stale worker files are removed), k8s/kustomization.yaml and k8s/config.yaml. ' +
      'Same scenario, same bytes. Templates: tools/scenario/src/infra.render.ts.',
  )
  .requiredOption('--scenario <name|file>', 'scenario name under scenarios/ (demo, suite/base) or a YAML file inside the repository', nonEmpty('--scenario', 'a scenario name or file'))
  .addOption(inRepository(new Option('--out <dir>', 'folder to write compose/ and k8s/ into (the files refer to the repository as infra/ does)').argParser(directory('--out')), 'infra/'))
  .parse();

const opts = program.opts<{ scenario: string; out: string }>();
const say = (m: string) => console.log(`infra:render: ${m}`);

await runCommand('infra:render', () => {
  const source = loadInfraSource(opts.scenario);
  const files = renderInfra(source);
  let written = 0;
  for (const file of files) {
    const target = join(opts.out, file.path);
    const before = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    if (before === file.text) {
      say(`unchanged ${shown(target)}`);
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.text);
    written++;
    say(`wrote ${shown(target)}${before === undefined ? ' (new)' : ''}`);
  }
  const k8s = join(opts.out, K8S_DIR);
  const stale = staleWorkerFiles(readdirSync(k8s), files);
  for (const name of stale) {
    unlinkSync(join(k8s, name));
    say(`removed ${shown(join(k8s, name))} (no cluster ${name.slice('worker-'.length, -'.yaml'.length)} in ${source.scenarioFile})`);
  }
  say(
    `${source.scenarioFile}: ${source.clusterIds.length} clusters, ${files.length} files (${written} written, ${files.length - written} unchanged), ` +
      `${stale.length} stale worker file${stale.length === 1 ? '' : 's'} removed`,
  );
});

function shown(path: string): string {
  const rel = relative(REPO_ROOT, path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}
