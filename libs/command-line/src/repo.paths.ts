import { basename, join, resolve } from 'node:path';
import { Option } from 'commander';
import { REPO_ROOT, readZoo, type ModelZoo } from '@aset/model-zoo';
import { readScenarioFile, type Scenario } from '@aset/scenario';

/** The repository root, from `@aset/model-zoo`. */
export { REPO_ROOT };

/** The committed model zoo. */
export const DEFAULT_MANIFEST = join(REPO_ROOT, 'models', 'manifest.json');

/**
 * A scenario argument: a file when it ends in .yaml, .yml or .json (relative to the working
 * directory), else a name under scenarios/ (`demo`, `suite/steady`).
 */
export function scenarioPath(nameOrFile: string): string {
  return SCENARIO_FILE.test(nameOrFile) ? resolve(nameOrFile) : join(REPO_ROOT, 'scenarios', `${nameOrFile}.yaml`);
}

/** A --scenario argument naming a file rather than a scenario under scenarios/. */
const SCENARIO_FILE = /\.(ya?ml|json)$/i;

/**
 * The ASET checkpoint for a scenario argument (as given to --scenario) and mode, in `dir` (default:
 * the repository's checkpoints/): `<name, slashes as dashes>.<mode>.json` for a scenario name,
 * `<file name without extension>.<mode>.json` for a scenario file. npm run train writes there, and
 * every command that loads agents looks there.
 */
export function checkpointPath(scenario: string, mode: string, dir = join(REPO_ROOT, 'checkpoints')): string {
  const stem = SCENARIO_FILE.test(scenario) ? basename(scenario).replace(SCENARIO_FILE, '') : scenario.replace(/[/\\]/g, '-');
  return join(dir, `${stem}.${mode}.json`);
}

/** Reads the zoo and a scenario (zoo binding checked). Throws ScenarioError / ZooError naming file and path. */
export function loadInputs(scenario: string, manifest = DEFAULT_MANIFEST): { scenario: Scenario; zoo: ModelZoo } {
  const zoo = readZoo(manifest);
  return { zoo, scenario: readScenarioFile(scenarioPath(scenario), { zoo }) };
}

/**
 * `option` defaulting to `relativePath` inside the repository: the absolute path as its value, and
 * the repository-relative path in `--help` (never this machine's checkout path).
 */
export function inRepository(option: Option, relativePath: string): Option {
  return option.default(join(REPO_ROOT, relativePath), `${relativePath} of this repository`);
}

/** `--checkpoints <dir>`, the same for every command that loads agents: default the repository's checkpoints/. */
export function checkpointsOption(): Option {
  return inRepository(new Option('--checkpoints <dir>', 'folder of the ASET checkpoints, named as npm run train names them'), 'checkpoints/');
}
