import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { invalidChoice } from '@/lib/api/errors';

describe('invalidChoice', () => {
  it('passes a value that is one of the choices', () => {
    assert.equal(invalidChoice('dimension', 'project', ['project', 'customer']), null);
  });

  it('answers 400 in the shared error shape for a missing or unknown value, naming the choices', async () => {
    for (const value of [undefined, '', 'Project', 'nope']) {
      const response = invalidChoice('dimension', value, ['project', 'customer']);
      assert.equal(response?.status, 400, String(value));
      assert.deepEqual(await response.json(), {
        error: {
          code: 'invalid_filters',
          message: 'Invalid filter: dimension must be one of project, customer',
          details: [{ parameter: 'dimension', message: 'must be one of project, customer' }],
        },
      });
    }
  });
});
