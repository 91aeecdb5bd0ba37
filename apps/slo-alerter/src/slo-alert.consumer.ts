import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Counter, Gauge } from 'prom-client';
import type { QueryRecord } from '@aset/contracts';
import { MessageBus, type Consumption } from '@aset/messaging';
import { ServiceMetrics } from '@aset/service-kit';
import type { SloAlerterEnv } from './slo-alerter.config.js';
import { SloWindow } from './slo.window.js';

/** Windows kept at most; the least recently updated (run, app) goes first. */
const MAX_WINDOWS = 1_000;

/**
 * Watches the records stream (an ordered consumer from now on: it acknowledges nothing and owns no
 * durable state) and keeps one {@link SloWindow} per (run, app) over measured queries. A window that
 * falls below SLO_MIN_SUCCESS logs a warning and counts `aset_slo_alerts_total`; its success ratio is
 * the gauge `aset_slo_window_success_ratio`.
 */
@Injectable()
export class SloAlertConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SloAlerts');
  private readonly windows = new Map<string, { runId: string; app: string; window: SloWindow }>();
  private readonly ratio: Gauge<'run' | 'app'>;
  private readonly alerts: Counter<'app'>;
  private readonly windowSize: number;
  private readonly minSuccess: number;
  private consumption?: Consumption;

  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(ConfigService) config: ConfigService<SloAlerterEnv, true>,
    @Inject(ServiceMetrics) metrics: ServiceMetrics,
  ) {
    this.windowSize = config.get('SLO_WINDOW', { infer: true });
    this.minSuccess = config.get('SLO_MIN_SUCCESS', { infer: true });
    const registers = [metrics.registry];
    this.ratio = new Gauge({ name: 'aset_slo_window_success_ratio', help: 'Fraction of the last SLO_WINDOW measured queries that met their SLO', labelNames: ['run', 'app'], registers });
    this.alerts = new Counter({ name: 'aset_slo_alerts_total', help: 'SLO alerts fired', labelNames: ['app'], registers });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.consumption = await this.bus.consume({ ordered: { deliver: 'new' } }, { queryRecord: (record) => this.observe(record) });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumption?.close();
  }

  /** The (run, app) windows whose alert is firing now. */
  firing(): { runId: string; app: string; successRatio: number }[] {
    return [...this.windows.values()].filter((w) => w.window.firing).map(({ runId, app, window }) => ({ runId, app, successRatio: window.successRatio }));
  }

  private observe(record: QueryRecord): void {
    if (record.warmup) return;
    const key = `${record.runId}\n${record.app}`;
    let entry = this.windows.get(key);
    if (entry) this.windows.delete(key);
    else entry = { runId: record.runId, app: record.app, window: new SloWindow(this.windowSize, this.minSuccess) };
    this.windows.set(key, entry);
    if (this.windows.size > MAX_WINDOWS) this.evictOldest();
    const change = entry.window.add(record.sloMet);
    const ratio = entry.window.successRatio;
    this.ratio.set({ run: record.runId, app: record.app }, ratio);
    if (change === 'fired') {
      this.alerts.inc({ app: record.app });
      this.logger.warn(`firing: run ${record.runId}, app ${record.app}: ${(100 * ratio).toFixed(1)}% of the last ${entry.window.size} queries met their SLO`);
    } else if (change === 'resolved') {
      this.logger.log(`resolved: run ${record.runId}, app ${record.app}: ${(100 * ratio).toFixed(1)}%`);
    }
  }

  private evictOldest(): void {
    const [key, oldest] = this.windows.entries().next().value as [string, { runId: string; app: string }];
    this.windows.delete(key);
    this.ratio.remove({ run: oldest.runId, app: oldest.app });
  }
}
