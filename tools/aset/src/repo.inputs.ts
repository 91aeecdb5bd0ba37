import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readZoo, type ModelZoo } from '@aset/model-zoo';
import { readScenarioFile, type Scenario } from '@aset/scenario';

export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');

/** `demo` -> scenarios/demo.yaml, `suite/steady` -> scenarios/suite/steady.yaml; a path with an extension is taken as is. */
export function scenarioPath(nameOrFile: string): string {
  return /\.ya?ml$|\.json$/.test(nameOrFile) ? resolve(nameOrFile) : join(REPO_ROOT, 'scenarios', `${nameOrFile}.yaml`);
}

export function loadInputs(scenario: string): { scenario: Scenario; zoo: ModelZoo } {
  const zoo = readZoo(join(REPO_ROOT, 'models', 'manifest.json'));
  return { zoo, scenario: readScenarioFile(scenarioPath(scenario), { zoo }) };
}

/** Where shipped checkpoints live: checkpoints/<scenario>.<mode>.json. */
export function checkpointPath(scenario: string, mode: string): string {
  return join(REPO_ROOT, 'checkpoints', `${scenario.replace(/[/\\]/g, '-')}.${mode}.json`);
}
