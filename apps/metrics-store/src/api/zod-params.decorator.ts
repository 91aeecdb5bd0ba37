import { Param, Query } from '@nestjs/common';
import type { z } from 'zod';
import { ZodParamsPipe } from './zod-params.pipe.js';

/**
 * The whole query string, validated by `schema` (a 400 names each bad parameter and what was
 * expected) and documented in OpenAPI from the same schema, one parameter per property.
 */
export function ZodQuery(schema: z.ZodType): ParameterDecorator {
  return Query({ schema, pipes: [new ZodParamsPipe(schema)] });
}

/** The route parameters, validated and documented like {@link ZodQuery}. */
export function ZodRoute(schema: z.ZodType): ParameterDecorator {
  return Param({ schema, pipes: [new ZodParamsPipe(schema)] });
}
