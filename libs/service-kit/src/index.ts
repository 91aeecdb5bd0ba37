export { ConfigurationError, BASE_ENV, envValidator } from './env.validation.js';
export { BusModule } from './bus.module.js';
export { DURATION_BUCKETS_SECONDS, seconds, HEALTH_CHECKS, ServiceMetrics, ObservabilityModule } from './observability.module.js';
export { runService } from './service.bootstrap.js';
export { serviceConfigModule } from './service.config.js';
export { SCENARIO_ENV, ScenarioModule } from './scenario.module.js';
/** The Clock's injection token, defined beside the Clock in `@aset/determinism`. */
export { CLOCK } from '@aset/determinism';
