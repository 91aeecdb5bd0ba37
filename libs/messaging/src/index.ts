export { consoleBusLogger, silentBusLogger, type BusLogger } from './bus.logger.js';
export { BusStats } from './bus.stats.js';
export {
  MessageBus,
  type BusOptions,
  type BusSubscription,
  type ConsumeHandlers,
  type ConsumeOptions,
  type ConsumerSource,
  type ConsumerState,
  type Consumption,
  type Refusal,
  type RequestOutcome,
  type NatsTls,
  type ServeOptions,
} from './message.bus.js';
export { LEAF_USER, readNkeySeedFile, serviceNatsUsers, writeNatsCredentials, type NatsCredentials, type NatsIdentity, type NatsUserSpec } from './nats.credentials.js';
export { inboxPrefixOf, natsPermissions, type NatsInboxes, type NatsPermissions, type NatsPrincipal } from './nats.permissions.js';
export { FORWARDED, UNANSWERED, type IncomingRequest, type NoReply, type RequestHandler } from './request.handler.js';
export { RequestDispatcher, isLiteralSubject, type NoRespondersHandler, type UnansweredDispatch } from './request.dispatcher.js';
export type { Delivery } from './stream.delivery.js';
export type { ParamsArg, WithParams } from './subject.resolver.js';
