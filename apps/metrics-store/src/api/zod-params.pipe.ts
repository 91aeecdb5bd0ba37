import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';

/**
 * Validates HTTP query or route parameters with a zod schema. A bad request gets a 400 whose
 * message names each parameter and what was expected, e.g. `run: expected 1-64 characters of [A-Za-z0-9_-]`.
 */
@Injectable()
export class ZodParamsPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const parsed = this.schema.safeParse(value ?? {});
    if (parsed.success) return parsed.data;
    const problems = parsed.error.issues.map((i) => ({ parameter: i.path.map(String).join('.') || '(query)', message: i.message }));
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: problems.map((p) => `${p.parameter}: ${p.message}`).join('; '),
      problems,
    });
  }
}
