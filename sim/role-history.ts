/**
 * IAM is eventually consistent: a role created, replaced or deleted takes effect for STS and SES
 * only after the account's propagation delay. Each change is kept with the instant it takes
 * effect; the control API shows the newest (what IAM itself answers at once), calls see the
 * newest one already in effect.
 */
export interface RoleChange<Role> {
  effectiveAt: number;
  /** undefined: the role was deleted */
  role: Role | undefined;
}

export class RoleHistory<Role> {
  private readonly changes: Array<RoleChange<Role>> = [];

  record(role: Role | undefined, effectiveAt: number): void {
    this.changes.push({ effectiveAt, role });
  }

  /** The latest version, in effect or not. */
  latest(): Role | undefined {
    return this.changes.at(-1)?.role;
  }

  /** The version in effect at `now`; older versions are forgotten once a newer one applies. */
  effective(now: number): Role | undefined {
    let index = -1;
    for (let i = this.changes.length - 1; i >= 0; i--) {
      if ((this.changes[i]?.effectiveAt ?? Infinity) <= now) {
        index = i;
        break;
      }
    }
    if (index > 0) this.changes.splice(0, index);
    return index < 0 ? undefined : this.changes[0]?.role;
  }
}
