import { GLOBAL_ACCOUNT_NAME } from '@nats-ts/base';
import { subjectIsSubsetMatch } from '../subject.js';
import { SubjectMapper, type MappingSpec } from '../subject-mapping.js';
import { AccountSharing, ServiceImport, StreamImportTap, SubjectRewrite } from './account-sharing.js';
import type { InterestRouter, RouterAccount } from './interest-router.js';
import { ResponseRoutes, type ResponseType } from './response-routes.js';
import type { ServiceLatencySpec } from './service-latency.js';
import { ImportDemand, type SharedInterestTally } from './shared-interest.js';

/** An account's imports, exports and mappings as the configuration gives them (checked already). */
export interface AccountSharingSpec {
  readonly name: string;
  readonly sharing?: {
    readonly serviceExports: readonly {
      readonly subject: string;
      readonly responseType: ResponseType;
      readonly responseThresholdMs: number;
      readonly latency?: ServiceLatencySpec;
    }[];
    /** `at`: where the import was written, for the error naming it. */
    readonly streamImports: readonly { readonly account: string; readonly subject: string; readonly to: string; readonly at: string }[];
    /** `share`: the requester's details go with its responses' records (/accountz shows it). */
    readonly serviceImports: readonly { readonly account: string; readonly subject: string; readonly to: string; readonly share?: boolean; readonly at: string }[];
    readonly mappings: readonly MappingSpec[];
  };
}

export interface SharingSpec {
  readonly accounts: readonly AccountSharingSpec[];
  /** The top-level mappings, for the global account. */
  readonly mappings: readonly MappingSpec[];
  /** This server's cluster, for cluster-scoped mapping destinations. */
  readonly cluster?: { readonly name?: string | undefined } | undefined;
}

/** nats-server's default response threshold of a service export. */
const DEFAULT_THRESHOLD_MS = 2 * 60_000;

/**
 * Sets up every account's mappings, stream import taps (in the exporter, wanted while the
 * importer has subscribers), service imports (in the importer) and response routes (in the
 * exporter), and the interest they need in `tally`. Throws an Error naming where a mapping
 * or an import whose subjects nats-server cannot transform was written.
 */
export function configureSharing(router: InterestRouter, spec: SharingSpec, tally: SharedInterestTally): void {
  if (spec.mappings.length > 0) router.account(GLOBAL_ACCOUNT_NAME).mapper = SubjectMapper.from(spec.mappings, spec.cluster?.name);
  for (const account of spec.accounts) {
    const mappings = account.sharing?.mappings ?? [];
    if (mappings.length > 0) router.account(account.name).mapper = SubjectMapper.from(mappings, spec.cluster?.name);
  }
  const byName = new Map(spec.accounts.map((a) => [a.name, a]));
  for (const account of spec.accounts) {
    const sharing = account.sharing;
    if (sharing === undefined) continue;
    const importer = router.account(account.name);
    for (const i of sharing.streamImports) {
      const rewrite = SubjectRewrite.of(i.subject, i.to);
      if (rewrite === undefined) {
        throw new Error(
          `${i.at}: Error adding stream import "${i.subject}": failed to create mapping transform for stream import subject "${i.subject}" to "${i.to}"`,
        );
      }
      const demand = (importer.importDemand ??= new ImportDemand(tally)).add(i.to, { account: i.account, subject: i.subject }, importer.sublist.all());
      sharingOf(router.account(i.account)).entries.insert(new StreamImportTap(i.subject, rewrite, importer, demand));
    }
    for (const i of sharing.serviceImports) {
      const rewrite = SubjectRewrite.of(i.to, i.subject);
      if (rewrite === undefined) {
        throw new Error(
          `${i.at}: Error adding service import "${i.subject}": failed to create mapping transform for service import subject "${i.to}" to "${i.subject}"`,
        );
      }
      const exporter = router.account(i.account);
      const exported = findExport(byName.get(i.account), i.subject);
      const exporterSharing = sharingOf(exporter);
      let responses = exporterSharing.responses;
      if (responses === undefined) {
        responses = exporterSharing.responses = new ResponseRoutes(exporter);
        exporterSharing.entries.insert(responses);
        tally.change({ account: i.account, subject: responses.subject }, true);
      }
      const entry = new ServiceImport(
        i.to,
        rewrite,
        importer,
        exporter,
        responses,
        exported?.responseType ?? 'Singleton',
        exported?.responseThresholdMs ?? DEFAULT_THRESHOLD_MS,
        i.share === true,
        exported?.latency,
      );
      sharingOf(importer).entries.insert(entry);
      tally.change({ account: account.name, subject: i.to }, true);
    }
  }
}

function sharingOf(account: RouterAccount): AccountSharing {
  return (account.sharing ??= new AccountSharing());
}

/** The export an import names: the same subject, else the first wider one. */
function findExport(account: AccountSharingSpec | undefined, subject: string) {
  const exports = account?.sharing?.serviceExports ?? [];
  return exports.find((x) => x.subject === subject) ?? exports.find((x) => subjectIsSubsetMatch(subject, x.subject));
}
