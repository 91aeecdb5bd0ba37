import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** The repository's committed model zoo manifest. */
export const REPO_MANIFEST = resolve(fileURLToPath(import.meta.url), '../../../../models/manifest.json');
