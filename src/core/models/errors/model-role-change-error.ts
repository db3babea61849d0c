import type { ModelRole } from '../../../shared/contract/models';

/**
 * An installed file was imported again with another role. Changing it silently would leave the
 * file chosen for its old role, so Hearth asks first; the import goes through with `changeRole`.
 */
export class ModelRoleChangeError extends Error {
  override readonly name = 'ModelRoleChangeError';
  constructor(
    readonly file: string,
    readonly from: ModelRole,
    readonly to: ModelRole,
  ) {
    super(
      `${file} is already installed as ${aRole(from)}. Importing it as ${aRole(to)} changes its role` +
        (from === 'reranker' ? '.' : ` and stops using it as the ${from} model.`),
    );
  }
}

function aRole(role: ModelRole): string {
  return role === 'embedding' ? 'an embedding model' : `a ${role} model`;
}
