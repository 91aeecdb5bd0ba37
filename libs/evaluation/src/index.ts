export { meanWithInterval, pairedDifference, pairedVerdict, type MeanInterval, type PairedVerdict } from './seed.statistics.js';
export { SUITE_NAMES, suiteByName, DEFAULT_SEEDS } from './suite.catalog.js';
export { buildSuiteReport, type SeedRun, type SeedBounds, type TrainedAgentRun, type SuiteRoles, type SuiteReport, type ScenarioReport, type PolicyFigures } from './suite.report.js';
export { suiteSection, mergeResultsDocument } from './results.markdown.js';
export { learningCurveBand, type TrainingCurve, type CurveBand, type CurveBandPoint } from './learning-curve.band.js';
