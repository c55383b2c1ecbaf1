/** Every assigned virtual MFA device in the account, by the ARN of the user it is assigned to. */
import { ListVirtualMFADevicesCommand } from '@aws-sdk/client-iam';
import { DataLoadError, describeError } from '../errors';
import type { AwsClients } from '../clients';
import { iamMarker, pages } from '../pages';

export const PAGE_SIZE = 1000;

/**
 * Map of assigned user ARN (root included: `arn:<partition>:iam::<account>:root`) → device serials.
 * Aborting `signal` stops the listing.
 */
export async function listAssignedVirtualMfa(
  clients: AwsClients,
  signal?: AbortSignal,
): Promise<Map<string, string[]>> {
  const byUser = new Map<string, string[]>();
  try {
    const listing = pages(
      (marker) =>
        clients.iam.send(
          new ListVirtualMFADevicesCommand({
            AssignmentStatus: 'Assigned',
            MaxItems: PAGE_SIZE,
            ...(marker ? { Marker: marker } : {}),
          }),
          { abortSignal: signal },
        ),
      iamMarker,
      signal,
    );
    for await (const out of listing) {
      for (const device of out.VirtualMFADevices ?? []) {
        const userArn = device.User?.Arn;
        const serial = device.SerialNumber;
        if (userArn && serial) {
          byUser.set(userArn, [...(byUser.get(userArn) ?? []), serial]);
        }
      }
    }
  } catch (error) {
    throw new DataLoadError(`cannot list virtual MFA devices: ${describeError(error)}`);
  }
  return byUser;
}

/** What {@link listAssignedVirtualMfa} calls. */
export const VIRTUAL_MFA_READS = ['iam:ListVirtualMFADevices'] as const;
