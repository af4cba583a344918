/**
 * An account's SES and STS settings, account-wide and per region. Account-wide values apply to
 * every region; a region's own values override them there. SES keeps quota, rate, sandbox and
 * sending-enabled per region, so the simulator does too.
 */
import { z } from 'zod';

export const SANDBOX_MAX_24_HOUR_SEND = 200;
/** SES's documented default rates: 1 message per second in the sandbox, 14 for a new production account. */
export const SANDBOX_MAX_SEND_RATE = 1;
export const PRODUCTION_MAX_SEND_RATE = 14;
/** Recipients that may go out at once above the steady rate (AWS documents no burst; see the fidelity table). */
export const DEFAULT_SEND_BURST = 3;
/** SES's API reference: identity and quota actions "no more than once per second". */
export const DEFAULT_CONTROL_PLANE_RATE = 1;
export const DEFAULT_CONTROL_PLANE_BURST = 2;
/**
 * How long a new or changed role takes to apply when an account does not say. IAM is eventually
 * consistent ("usually seconds" in AWS's documentation; a role just created is commonly refused by
 * STS for several seconds): realistic by default, so every test meets it unless it says otherwise.
 */
export const DEFAULT_IAM_PROPAGATION_MS = 8_000;

export const regionSchema = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be a region such as eu-west-1');

/** The settings a region can have; every one optional, as an override. */
export const regionSettingsSchema = z.strictObject({
  sending_enabled: z.boolean().optional(),
  /** -1 is unlimited (what SES reports for some production accounts); 0–200 means the sandbox */
  max_24_hour_send: z.union([z.literal(-1), z.number().int().nonnegative()]).optional(),
  /** recipients per second; 1 in the sandbox and 14 out of it unless set */
  max_send_rate: z.number().positive().optional(),
  /** recipients the send bucket holds: how many may go at once above the steady rate */
  send_burst: z.number().positive().optional(),
  /** identity and quota calls per second */
  control_plane_rate: z.number().positive().optional(),
  control_plane_burst: z.number().positive().optional(),
  /** false: this region's STS endpoint is deactivated for the account (RegionDisabledException) */
  sts_enabled: z.boolean().optional(),
});

export type RegionSettingsInput = z.output<typeof regionSettingsSchema>;
export type SettingName = keyof RegionSettingsInput;

/** Every setting resolved for one region. */
export interface RegionSettings {
  sendingEnabled: boolean;
  max24HourSend: number;
  maxSendRate: number;
  sendBurst: number;
  controlPlaneRate: number;
  controlPlaneBurst: number;
  stsEnabled: boolean;
  sandbox: boolean;
}

/** Defaults the simulator applies where neither the account nor the region sets a value. */
export interface SettingDefaults {
  sendBurst: number;
  controlPlaneRate: number;
  controlPlaneBurst: number;
  iamPropagationMs: number;
}

export const isSandbox = (max24HourSend: number): boolean => max24HourSend >= 0 && max24HourSend <= SANDBOX_MAX_24_HOUR_SEND;

/** Account-wide values, then the region's overrides, then the defaults. */
export function resolveSettings(accountWide: RegionSettingsInput, region: RegionSettingsInput | undefined, defaults: SettingDefaults): RegionSettings {
  const merged = { ...accountWide, ...region };
  const max24HourSend = merged.max_24_hour_send ?? SANDBOX_MAX_24_HOUR_SEND;
  const sandbox = isSandbox(max24HourSend);
  return {
    sendingEnabled: merged.sending_enabled ?? true,
    max24HourSend,
    maxSendRate: merged.max_send_rate ?? (sandbox ? SANDBOX_MAX_SEND_RATE : PRODUCTION_MAX_SEND_RATE),
    sendBurst: merged.send_burst ?? defaults.sendBurst,
    controlPlaneRate: merged.control_plane_rate ?? defaults.controlPlaneRate,
    controlPlaneBurst: merged.control_plane_burst ?? defaults.controlPlaneBurst,
    stsEnabled: merged.sts_enabled ?? true,
    sandbox,
  };
}

/**
 * Applies an update: each account-wide value given replaces that setting in every region (so an
 * old per-region value cannot silently outlive it), then the per-region values are laid on top.
 */
export function applySettings(
  accountWide: RegionSettingsInput,
  regions: Map<string, RegionSettingsInput>,
  update: { accountWide: RegionSettingsInput; regions?: Record<string, RegionSettingsInput> },
): void {
  for (const [name, value] of Object.entries(update.accountWide) as Array<[SettingName, unknown]>) {
    if (value === undefined) continue;
    Object.assign(accountWide, { [name]: value });
    for (const overrides of regions.values()) delete overrides[name];
  }
  for (const [region, values] of Object.entries(update.regions ?? {})) {
    const overrides = regions.get(region) ?? {};
    for (const [name, value] of Object.entries(values)) if (value !== undefined) Object.assign(overrides, { [name]: value });
    regions.set(region, overrides);
  }
}

/** The view of one region's settings the control API returns. */
export function settingsView(settings: RegionSettings) {
  return {
    sending_enabled: settings.sendingEnabled,
    sandbox: settings.sandbox,
    max_24_hour_send: settings.max24HourSend,
    max_send_rate: settings.maxSendRate,
    send_burst: settings.sendBurst,
    control_plane_rate: settings.controlPlaneRate,
    control_plane_burst: settings.controlPlaneBurst,
    sts_enabled: settings.stsEnabled,
  };
}
