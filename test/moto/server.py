"""moto_server (moto 5.2.1) with the gaps our MFA rules hit filled in; for tests, demo and bench.

    python3 test/moto/server.py --host 127.0.0.1 --port PORT [--watch-stdin]

All extension state is per account id and is wiped by POST /moto-api/reset.
a. Config PutEvaluations: moto only accepts TestMode=true. We validate like AWS (1..100
   evaluations; required members; ComplianceType COMPLIANT|NON_COMPLIANT|NOT_APPLICABLE, since
   AWS documents that PutEvaluations refuses INSUFFICIENT_DATA; Annotation 1..256, an empty one is
   an InvalidParameterValueException) and keep one evaluation per resource under the rule named by
   the ResultToken text before its first "/". TestMode only validates. Stored per account and
   region, as Config is regional. AWS does not document which of two evaluations of a resource
   Config keeps, so both are modelled: "last-write" (default: the last one written wins) and
   "latest-ordering" (the one with the newest OrderingTimestamp; ties replace). The default comes
   from MOTO_EXT_EVALUATIONS_KEEP; POST /moto-ext/config-store {"keep": …} sets it per account.
b. Config GetComplianceDetailsByConfigRule (absent from moto): serves what (a) stored, sorted by
   (ResourceType, ResourceId), each with its OrderingTimestamp and ResultRecordedTime (when it was
   written); ComplianceTypes filter; Limit 0..100 (0 = default 10); NextToken. An unknown rule
   gives an empty list (moto cannot host our Lambda-backed rules anyway).
c. IAM ListUsers: moto ignores MaxItems/Marker. We sort users by name and page them (MaxItems
   1..1000, default 100; IsTruncated + opaque Marker). MOTO_EXT_SHORT_PAGES=1 caps pages at 7
   users, because real IAM may return short pages and clients must follow the Marker.
d. Credential report: moto rebuilds the CSV on every read and dates it 2015. Here Generate says
   STARTED (no report, or one older than 4 h), INPROGRESS, then COMPLETE once
   MOTO_EXT_REPORT_DELAY_MS (default 300) have passed. The CSV is a snapshot of that moment: it is
   taken before the first IAM or control request handled after it, so nothing can change in
   between. GetCredentialReport fails with ReportNotPresent (410), ReportInProgress (404) or
   ReportExpired (410). Rows keep moto's User.to_csv format (commas in names are not quoted), after
   a <root_account> row, which AWS always puts first.
e. Root account: moto has no root and AccountMFAEnabled is always 0. POST /moto-ext/root sets the
   Account* flags of GetAccountSummary (or omits keys), the root row of the report, and can assign
   a virtual MFA device to root, which ListVirtualMFADevices then shows with the root ARN.
f. Control endpoints (JSON): POST /moto-ext/root, /moto-ext/report/expire (age the report past
   4 h), /moto-ext/seed-users (bulk users in-process, thousands per second), /moto-ext/config-store
   (which evaluation Config keeps, see a); GET /moto-ext/health.
   With MOTO_EXT_COUNT_CALLS=1, every AWS request is counted by operation (X-Amz-Target, else the
   query Action); GET /moto-ext/calls returns the counts and starts them again from zero.
g. Accounts: moto maps the request's access key to an account (AssumeRole keys belong to the
   role's account); patched handlers use self.current_account, control endpoints take accountId.
h. Config aggregators (issue 13, its own section below): moto keeps aggregators
   (Put/DescribeConfigurationAggregators) but has no aggregated compliance. We serve
   DescribeAggregateComplianceByConfigRules and GetAggregateComplianceDetailsByConfigRule from
   the evaluations (a) stored in the aggregator's source accounts and Regions (an organization
   source: every account we hold). An unknown aggregator is NoSuchConfigurationAggregatorException.
   POST /moto-ext/evaluations stores verdicts for any account, Region and rule name (a member
   account's conformance-pack rule name) as PutEvaluations would.
i. Privileged users and hardware MFA (iam-user-hardware-mfa, its own section below):
   GetAccountAuthorizationDetails ignores MaxItems/Marker in moto; we page users, then groups
   (then roles and policies when asked), sorted by name (MaxItems 1..1000, default 100; short
   pages with MOTO_EXT_SHORT_PAGES=1). GetMFADevice is absent from moto: we serve it for a device
   the user has (else NoSuchEntity), only for FIDO serials (`arn:…:u2f/…`; AWS: "we only accept
   FIDO security key ARNs", the error for another serial is our assumption: ValidationError), with
   the Certifications set by POST /moto-ext/fido-certifications {accountId, serial,
   certifications} (none set: no Certifications member, as for a passkey). EnableMFADevice
   accepts any serial in moto, so a FIDO key or hardware token is enabled with its serial.
   POST /moto-ext/seed-hardware-users {accountId, groups: [{name, policies}], users: [{name,
   groups, policies, tags, devices: [{serial, certifications?}] | devices: [{kind: virtual}]}]}
   seeds thousands of such users in-process. Attaching AWS managed policies (AdministratorAccess)
   needs MOTO_IAM_LOAD_MANAGED_POLICIES=true in the server's environment.
j. Privilege by policy content (issue 17, its own section below): GetAccountAuthorizationDetails
   with AWSManagedPolicy returns, as we understand IAM, only the AWS managed policies in use in the
   account (attached, or set as a permissions boundary), not the ~1,300 moto loads; the rules do
   not depend on it (a policy they need and do not get counts as unreadable, so privileged), only
   the page count does. moto has no user permissions boundaries: PutUserPermissionsBoundary and
   DeleteUserPermissionsBoundary are served here, and UserDetailList carries PermissionsBoundary.
   POST /moto-ext/user-created {accountId, userName, createdAt (ISO 8601)} back-dates a user (its
   CreateDate everywhere, the credential report's user_creation_time included). moto dates a login
   profile with its user's CreateDate; IAM gives the password's own ("The date when the password
   for the user was created", API LoginProfile): kept here from CreateLoginProfile. The hardware seed
   (i) also takes policies: [{name, document}] (customer-managed), roles: [{name, trust, policies,
   inline}], and users' inline documents and boundary. Created users get IAM's form of unique id
   (AIDA and 17 characters of A-Z2-7) instead of moto's 20 lowercase characters.
k. Doctor and organization runs (issue 19, its own section below): Lambda GetAccountSettings
   (quota per account, POST /moto-ext/lambda-concurrency) and Config
   DescribeConfigRuleEvaluationStatus (POST /moto-ext/rule-status), which moto lacks; STS
   AssumeRole requests recorded with their session policy (GET /moto-ext/assume-role-calls).
l. Event path (issue 22, its own section below): Config StartConfigRulesEvaluation, which moto
   lacks: the rules must exist (NoSuchConfigRuleException otherwise, as in AWS); a rule started
   less than MOTO_EXT_REEVALUATION_INTERVAL_MS ago (default 60000: "more than once per minute")
   is LimitExceededException, as AWS answers; every accepted request is recorded and GET
   /moto-ext/reevaluations returns them ({accountId, region, rules, at}) and starts again from zero.
"""

import argparse, base64, io, json, logging, os, random, re, sys, threading, time
from urllib.parse import parse_qs
from datetime import datetime, timezone
from typing import Any

try:
    from werkzeug.serving import run_simple
    from werkzeug.wrappers import Request, Response
    from moto.config import exceptions as cfx
    from moto.config.responses import ConfigResponse
    from moto.core.responses import ActionResult, BaseResponse
    from moto.core.utils import utcnow
    from moto.iam.exceptions import (IAMException, NotFoundException, ReportNotPresentException,
                                     ValidationError)
    from moto.iam.models import IAMBackend, iam_backends
    from moto.iam.responses import IamResponse
    from moto.moto_api._internal.models import MotoAPIBackend
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
except ImportError as err:  # test/support/moto.ts turns exit code 3 into an install hint
    print(f"moto_server not available: {err}", file=sys.stderr)
    sys.exit(3)

FOUR_HOURS = 4 * 3600
REPORT_DELAY = int(os.environ.get("MOTO_EXT_REPORT_DELAY_MS", "300")) / 1000
KEEP_MODES = ("last-write", "latest-ordering")
DEFAULT_KEEP = os.environ.get("MOTO_EXT_EVALUATIONS_KEEP", "last-write")
if DEFAULT_KEEP not in KEEP_MODES:
    print(f"MOTO_EXT_EVALUATIONS_KEEP must be one of {KEEP_MODES}", file=sys.stderr)
    sys.exit(2)
SHORT_PAGES = os.environ.get("MOTO_EXT_SHORT_PAGES") == "1"
SHORT_PAGE_SIZE = 7
ROOT = "<root_account>"
VERDICTS = ("COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE")
COMPLIANCE_TYPES = VERDICTS + ("INSUFFICIENT_DATA",)
MFA_KINDS = ("none", "virtual", "hardware")
CSV_HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"
)
ROOT_FLAGS = {"mfaEnabled": "AccountMFAEnabled", "passwordPresent": "AccountPasswordPresent",
              "accessKeysPresent": "AccountAccessKeysPresent",
              "signingCertificatesPresent": "AccountSigningCertificatesPresent"}
ROOT_DEFAULTS = {"mfaEnabled": False, "passwordPresent": True, "accessKeysPresent": False,
                 "signingCertificatesPresent": False, "virtualMfaSerial": None,
                 "omitSummaryKeys": []}

ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
LOCK = threading.RLock()  # guards STATE; werkzeug serves requests on threads
STATE: dict[str, dict[str, Any]] = {}


def account(account_id: str) -> dict[str, Any]:
    with LOCK:
        if account_id not in STATE:
            STATE[account_id] = {"root": dict(ROOT_DEFAULTS), "report": None, "evals": {},
                                 "keep": DEFAULT_KEEP, "hardware_serials": 0, "created": utcnow()}
        return STATE[account_id]


def b64(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def unb64(token: str) -> tuple[str, str]:
    """Decode a Marker/NextToken made by b64(); ValueError if it is not one of ours."""
    value = json.loads(base64.urlsafe_b64decode(token.encode()))  # errors are ValueErrors
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise ValueError(token)
    return value[0], value[1]


# ---------------------------------------------------------------- credential report (d, e)
def root_row(account_id: str, root: dict[str, Any], created: datetime) -> str:
    when = created.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    flag = lambda on: "true" if on else "false"  # noqa: E731
    keys, certs = root["accessKeysPresent"], root["signingCertificatesPresent"]
    return ",".join([
        ROOT, f"arn:aws:iam::{account_id}:root", when, "not_supported",
        "no_information" if root["passwordPresent"] else "N/A", "not_supported", "not_supported",
        flag(root["mfaEnabled"]), flag(keys), when if keys else "N/A", "N/A", "N/A", "N/A",
        "false", "N/A", "N/A", "N/A", "N/A", flag(certs), when if certs else "N/A", "false", "N/A",
    ]) + "\n"


def take_due_snapshots() -> None:
    """Snapshot every report whose generation time has come (run before anything can change)."""
    now = time.time()
    with LOCK:
        for account_id, acct in STATE.items():
            report = acct["report"]
            if report and report["content"] is None and now >= report["ready_at"]:
                users = list(iam_backends[account_id]["aws"].users.values())
                rows = [root_row(account_id, acct["root"], acct["created"])]
                report["content"] = CSV_HEADER + "".join(rows + [u.to_csv() for u in users])
                report["generated"] = int(report["ready_at"])


# ---------------------------------------------------------------- IAM handlers (c, d, e)
def iam_call_action(self: IamResponse) -> Any:
    take_due_snapshots()
    return BaseResponse.call_action(self)


def list_users(self: IamResponse) -> ActionResult:
    max_items = int(self._get_param("MaxItems") or 100)
    if not 1 <= max_items <= 1000:
        raise ValidationError("MaxItems must be between 1 and 1000.")
    order = lambda user: (user.name.lower(), user.name)  # noqa: E731
    users = sorted(self.backend.list_users(self._get_param("PathPrefix"), None, None), key=order)
    if marker := self._get_param("Marker"):
        try:
            after = unb64(marker)
        except ValueError:
            raise ValidationError("Invalid Marker.")
        users = [user for user in users if order(user) > after]
    size = min(max_items, SHORT_PAGE_SIZE) if SHORT_PAGES else max_items
    page = users[:size]
    result: dict[str, Any] = {"Users": page, "IsTruncated": len(users) > size}
    if len(users) > size:
        result["Marker"] = b64(order(page[-1]))
    return ActionResult(result)


def generate_credential_report(self: IamResponse) -> ActionResult:
    now = time.time()
    with LOCK:
        acct = account(self.current_account)
        report = acct["report"]
        if report is None or (report["generated"] and now - report["generated"] >= FOUR_HOURS):
            acct["report"] = {"ready_at": now + REPORT_DELAY, "content": None, "generated": None}
            description = "No report exists. Starting a new report generation task"
            return ActionResult({"State": "STARTED", "Description": description})
        return ActionResult({"State": "INPROGRESS" if report["content"] is None else "COMPLETE"})


def get_credential_report(self: IamResponse) -> ActionResult:
    report = account(self.current_account)["report"]
    if report is None:
        raise ReportNotPresentException("No credential report; call GenerateCredentialReport.")
    if report["content"] is None:
        raise IAMException("ReportInProgress", "The credential report is still being generated.")
    if time.time() - report["generated"] >= FOUR_HOURS:
        raise IAMException("ReportExpired", "The credential report is older than 4 hours.")
    generated = datetime.fromtimestamp(report["generated"], timezone.utc)
    return ActionResult(
        {"Content": report["content"], "ReportFormat": "text/csv", "GeneratedTime": generated})


def get_account_summary(self: IamResponse) -> ActionResult:
    summary = dict(self.backend.account_summary.summary_map)
    root = account(self.current_account)["root"]
    summary.update({key: int(root[field]) for field, key in ROOT_FLAGS.items()})
    for key in root["omitSummaryKeys"]:
        summary.pop(key, None)
    return ActionResult({"SummaryMap": summary})


def list_virtual_mfa_devices(self: IamResponse) -> ActionResult:
    devices, marker = self.backend.list_virtual_mfa_devices(
        self._get_param("AssignmentStatus", "Any"), self._get_param("Marker"),
        self._get_param("MaxItems", 100))
    account_id = self.current_account
    acct = account(account_id)
    root_user = {"Path": "/", "UserName": ROOT, "UserId": account_id,
                 "Arn": f"arn:aws:iam::{account_id}:root", "CreateDate": acct["created"]}
    shown = [{"SerialNumber": d.serial_number, "User": root_user, "EnableDate": d.enable_date}
             if d.serial_number == acct["root"]["virtualMfaSerial"] else d for d in devices]
    return ActionResult({"VirtualMFADevices": shown, "IsTruncated": bool(marker), "Marker": marker})


# ---------------------------------------------------------------- Config handlers (a, b)
def invalid(message: str) -> Exception:
    return cfx.ValidationException(f"1 validation error detected: {message}")


def put_evaluations(self: ConfigResponse) -> str:
    body = json.loads(self.body or "{}")
    evaluations, token = body.get("Evaluations"), body.get("ResultToken")
    if not isinstance(evaluations, list) or not 1 <= len(evaluations) <= 100:
        raise invalid("'evaluations' must have length between 1 and 100")
    for i, ev in enumerate(evaluations, start=1):
        for member in ("ComplianceResourceType", "ComplianceResourceId", "ComplianceType",
                       "OrderingTimestamp"):
            if ev.get(member) in (None, ""):
                raise invalid(f"Value null at 'evaluations.{i}.member.{member}' must not be null")
        if ev["ComplianceType"] not in VERDICTS:
            raise cfx.InvalidParameterValueException(
                f"ComplianceType {ev['ComplianceType']} is not accepted by PutEvaluations.")
        if ev.get("Annotation") == "":
            raise cfx.InvalidParameterValueException("The annotation cannot be empty.")
        if len(ev.get("Annotation") or "") > 256:
            raise invalid(f"'evaluations.{i}.member.annotation' must be at most 256 characters")
    if token is None:
        raise invalid("Value null at 'resultToken' must not be null")
    rule = str(token).split("/", 1)[0]
    if not rule:
        raise cfx.InvalidResultTokenException()
    if not body.get("TestMode"):
        now = time.time()
        with LOCK:
            acct = account(self.current_account)
            stored = acct["evals"].setdefault((self.region, rule), {})
            last_write = acct["keep"] == "last-write"
            for ev in evaluations:
                key = (ev["ComplianceResourceType"], ev["ComplianceResourceId"])
                at = ev["OrderingTimestamp"]
                if not isinstance(at, (int, float)):  # the JSON protocol sends epoch seconds
                    at = datetime.fromisoformat(str(at).replace("Z", "+00:00")).timestamp()
                if last_write or key not in stored or at >= stored[key]["at"]:
                    stored[key] = {"at": at, "type": ev["ComplianceType"],
                                   "note": ev.get("Annotation"), "recorded": now}
    return json.dumps({"FailedEvaluations": []})


def evaluation_result(rule: str, key: tuple[str, str], item: dict[str, Any],
                      **extra: str) -> dict[str, Any]:
    """A stored evaluation as Config's EvaluationResult (the aggregate one adds AccountId and
    AwsRegion through `extra`)."""
    resource_type, resource_id = key
    qualifier = {"ConfigRuleName": rule, "ResourceType": resource_type,
                 "ResourceId": resource_id, "EvaluationMode": "DETECTIVE"}
    result = {"EvaluationResultIdentifier": {"EvaluationResultQualifier": qualifier,
                                             "OrderingTimestamp": item["at"]},
              "ComplianceType": item["type"], "ResultRecordedTime": item["recorded"],
              "ConfigRuleInvokedTime": item["recorded"], **extra}
    if item["note"] is not None:
        result["Annotation"] = item["note"]
    return result


def get_compliance_details_by_config_rule(self: ConfigResponse) -> str:
    body = json.loads(self.body or "{}")
    rule, types = body.get("ConfigRuleName"), body.get("ComplianceTypes") or []
    limit = body.get("Limit") or 10
    if not rule:
        raise invalid("Value null at 'configRuleName' must not be null")
    if any(t not in COMPLIANCE_TYPES for t in types):
        raise invalid(f"Value {types} at 'complianceTypes' must be in {list(COMPLIANCE_TYPES)}")
    if not isinstance(limit, int) or not 0 <= limit <= 100:
        raise invalid(f"Value '{limit}' at 'limit' must be less than or equal to 100")
    with LOCK:
        stored = dict(account(self.current_account)["evals"].get((self.region, rule), {}))
    keys = sorted(key for key, item in stored.items() if not types or item["type"] in types)
    if token := body.get("NextToken"):
        try:
            after = unb64(token)
        except ValueError:
            raise cfx.InvalidNextTokenException()
        keys = [key for key in keys if key > after]
    results = [evaluation_result(rule, key, stored[key]) for key in keys[:limit]]
    page: dict[str, Any] = {"EvaluationResults": results}
    if len(keys) > limit:
        page["NextToken"] = b64(keys[limit - 1])
    return json.dumps(page)


# ---------------------------------------------------------------- Config aggregators (h, issue 13)
AGGREGATE_TYPES = ("COMPLIANT", "NON_COMPLIANT")


def aggregator_sources(self: ConfigResponse, name: Any) -> list[tuple[str, str]]:
    """(account, region) pairs of the caller's aggregator `name`, among those we hold evaluations for."""
    from moto.config.models import config_backends
    aggregator = config_backends[self.current_account][self.region].config_aggregators.get(name)
    if not name or aggregator is None:
        raise cfx.NoSuchConfigurationAggregatorException()
    with LOCK:
        held = sorted({(acct, region) for acct, state in STATE.items() for region, _ in state["evals"]})
    if aggregator.organization_aggregation_source is not None:
        source = aggregator.organization_aggregation_source
        regions = None if source.all_aws_regions else set(source.aws_regions or [])
        return [(a, r) for a, r in held if regions is None or r in regions]
    pairs = []
    for source in aggregator.account_aggregation_sources or []:
        regions = None if source.all_aws_regions else set(source.aws_regions or [])
        pairs += [(a, r) for a, r in held
                  if a in source.account_ids and (regions is None or r in regions)]
    return sorted(set(pairs))


def page_of(items: list[Any], body: dict[str, Any], limit: int) -> tuple[list[Any], str | None]:
    start = 0
    if token := body.get("NextToken"):
        try:
            start = int(unb64(token)[1])
        except ValueError:
            raise cfx.InvalidNextTokenException()
    end = start + limit
    return items[start:end], (b64(["page", str(end)]) if end < len(items) else None)


def describe_aggregate_compliance_by_config_rules(self: ConfigResponse) -> str:
    body = json.loads(self.body or "{}")
    pairs = aggregator_sources(self, body.get("ConfigurationAggregatorName"))
    filters = body.get("Filters") or {}
    limit = body.get("Limit") or 1000
    if not isinstance(limit, int) or not 0 <= limit <= 1000:
        raise invalid(f"Value '{limit}' at 'limit' must be less than or equal to 1000")
    rows = []
    for acct, region in pairs:
        with LOCK:
            rules = {rule: dict(items) for (r, rule), items in account(acct)["evals"].items()
                     if r == region}
        for rule in sorted(rules):
            types = {item["type"] for item in rules[rule].values()}
            compliance = ("NON_COMPLIANT" if "NON_COMPLIANT" in types else
                          "COMPLIANT" if "COMPLIANT" in types else "INSUFFICIENT_DATA")
            row = {"ConfigRuleName": rule, "Compliance": {"ComplianceType": compliance},
                   "AccountId": acct, "AwsRegion": region}
            wanted = {"ConfigRuleName": rule, "ComplianceType": compliance, "AccountId": acct,
                      "AwsRegion": region}
            if all(filters.get(k) in (None, v) for k, v in wanted.items()):
                rows.append(row)
    page, token = page_of(rows, body, limit)
    out: dict[str, Any] = {"AggregateComplianceByConfigRules": page}
    if token:
        out["NextToken"] = token
    return json.dumps(out)


def get_aggregate_compliance_details_by_config_rule(self: ConfigResponse) -> str:
    body = json.loads(self.body or "{}")
    pairs = aggregator_sources(self, body.get("ConfigurationAggregatorName"))
    for member in ("ConfigRuleName", "AccountId", "AwsRegion"):
        if not body.get(member):
            name = member[0].lower() + member[1:]
            raise invalid(f"Value null at '{name}' must not be null")
    wanted = body.get("ComplianceType")
    if wanted is not None and wanted not in AGGREGATE_TYPES:
        raise cfx.InvalidParameterValueException(
            f"ComplianceType {wanted} is not supported; use COMPLIANT or NON_COMPLIANT.")
    limit = body.get("Limit") or 50
    if not isinstance(limit, int) or not 0 <= limit <= 100:
        raise invalid(f"Value '{limit}' at 'limit' must be less than or equal to 100")
    acct, region, rule = body["AccountId"], body["AwsRegion"], body["ConfigRuleName"]
    stored: dict[Any, Any] = {}
    if (acct, region) in pairs:
        with LOCK:
            stored = dict(account(acct)["evals"].get((region, rule), {}))
    keys = sorted(k for k, item in stored.items()
                  if item["type"] in ((wanted,) if wanted else AGGREGATE_TYPES))
    page, token = page_of(keys, body, limit)
    results = [evaluation_result(rule, key, stored[key], AccountId=acct, AwsRegion=region)
               for key in page]
    out: dict[str, Any] = {"AggregateEvaluationResults": results}
    if token:
        out["NextToken"] = token
    return json.dumps(out)


def control_evaluations(account_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Body: {accountId, region, rule, evaluations: [{resourceType, resourceId, complianceType,
    annotation?}]}: stored as PutEvaluations (a) would, now."""
    region, rule = str(body["region"]), str(body["rule"])
    now = time.time()
    stored = account(account_id)["evals"].setdefault((region, rule), {})
    for ev in body.get("evaluations", []):
        if ev["complianceType"] not in VERDICTS:
            raise ValueError(f"complianceType {ev['complianceType']}")
        stored[(ev["resourceType"], ev["resourceId"])] = {
            "at": now, "type": ev["complianceType"], "note": ev.get("annotation"), "recorded": now}
    return {"stored": len(body.get("evaluations", []))}


# ---------------------------------------------------------------- hardware MFA (i, iam-user-hardware-mfa)
FIDO_SERIAL = re.compile(r"^arn:[\w-]+:iam::\d{12}:u2f/")
FIDO_CERTS: dict[str, dict[str, dict[str, str]]] = {}  # account id -> serial -> Certifications


def get_account_authorization_details(self: IamResponse) -> ActionResult:
    max_items = int(self._get_param("MaxItems") or 100)
    if not 1 <= max_items <= 1000:
        raise ValidationError("MaxItems must be between 1 and 1000.")
    details = self.backend.get_account_authorization_details(self._get_param("Filter", []))
    by_name = lambda item: getattr(item, "name", "")  # noqa: E731
    kinds = [("UserDetailList", "users"), ("GroupDetailList", "groups"),
             ("RoleDetailList", "roles"), ("Policies", "managed_policies")]
    entities = [(key, f"{index}:{by_name(item)}", item) for index, (key, field) in enumerate(kinds)
                for item in sorted(details[field], key=by_name)]
    if marker := self._get_param("Marker"):
        try:
            after = unb64(marker)[0]
        except ValueError:
            raise ValidationError("Invalid Marker.")
        entities = [entity for entity in entities if entity[1] > after]
    size = min(max_items, SHORT_PAGE_SIZE) if SHORT_PAGES else max_items
    page = entities[:size]
    result: dict[str, Any] = {key: [item for kind, _, item in page if kind == key]
                              for key, _ in kinds}
    result["IsTruncated"] = len(entities) > size
    if len(entities) > size:
        result["Marker"] = b64([page[-1][1], ""])
    return ActionResult(result)


def get_mfa_device(self: IamResponse) -> ActionResult:
    serial, user_name = self._get_param("SerialNumber"), self._get_param("UserName")
    if not serial or not FIDO_SERIAL.match(serial):
        raise ValidationError("For this API, we only accept FIDO security key ARNs.")
    user = self.backend.get_user(user_name)  # NoSuchEntity if the user does not exist
    device = user.mfa_devices.get(serial)
    if device is None:
        raise NotFoundException(f"MFA device {serial} not found for user {user_name}.")
    result: dict[str, Any] = {"UserName": user.name, "SerialNumber": serial,
                              "EnableDate": device.enable_date}
    with LOCK:
        certifications = FIDO_CERTS.get(self.current_account, {}).get(serial)
    if certifications is not None:
        result["Certifications"] = dict(certifications)
    return ActionResult(result)


def control_fido_certifications(account_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Body: {accountId, serial, certifications: {name: level} | null (none: no member)}."""
    serial, certifications = str(body["serial"]), body.get("certifications")
    if not FIDO_SERIAL.match(serial):
        raise ValueError(f"{serial} is not a FIDO serial (arn:…:u2f/…)")
    store = FIDO_CERTS.setdefault(account_id, {})
    if certifications is None:
        store.pop(serial, None)
    else:
        store[serial] = {str(key): str(value) for key, value in certifications.items()}
    return {"serial": serial, "certifications": certifications}


def control_seed_hardware_users(account_id: str, body: dict[str, Any]) -> dict[str, Any]:
    backend = iam_backends[account_id]["aws"]
    seed_policies_and_roles(backend, body)  # (j)
    for spec in body.get("groups") or []:
        backend.create_group(spec["name"], "/")
        for arn in spec.get("policies") or []:
            backend.attach_group_policy(arn, spec["name"])
    created = []
    for spec in body.get("users") or []:
        user = backend.create_user("us-east-1", spec["name"], "/")
        for group in spec.get("groups") or []:
            backend.add_user_to_group(group, user.name)
        for arn in spec.get("policies") or []:
            backend.attach_user_policy(arn, user.name)
        if spec.get("tags"):
            backend.tag_user(user.name, [{"Key": k, "Value": v} for k, v in spec["tags"].items()])
        if spec.get("inline"):  # (j)
            backend.put_user_policy(user.name, f"{user.name}-inline", json.dumps(spec["inline"]))
        if spec.get("boundary"):  # (j)
            set_user_boundary(user, spec["boundary"])
        for device in spec.get("devices") or []:
            serial = device.get("serial")
            if device.get("kind") == "virtual":
                serial = backend.create_virtual_mfa_device(user.name, "/").serial_number
            backend.enable_mfa_device(user.name, serial, "123456", "654321")
            if device.get("certifications") is not None:
                control_fido_certifications(account_id, {"serial": serial,
                                                         "certifications": device["certifications"]})
        created.append({"name": user.name, "userId": user.id, "arn": user.arn})
    return {"users": created}


def install_hardware_mfa_patches() -> None:
    IamResponse.get_account_authorization_details = get_account_authorization_details
    IamResponse.get_mfa_device = get_mfa_device
    CONTROL["/moto-ext/fido-certifications"] = control_fido_certifications
    CONTROL["/moto-ext/seed-hardware-users"] = control_seed_hardware_users
    reset_before = MotoAPIBackend.reset

    def reset(self: MotoAPIBackend) -> None:
        with LOCK:
            FIDO_CERTS.clear()
            reset_before(self)

    MotoAPIBackend.reset = reset


# ---------------------------------------------------------------- privilege by policy content (j, issue 17)
def in_use_policies(backend: IAMBackend, policies: Any) -> list[Any]:
    """AWS managed policies only when attached or set as a boundary; customer policies always."""
    boundaries = {getattr(u, "permissions_boundary_arn", None) for u in backend.users.values()}
    boundaries |= {r.permissions_boundary_arn for r in backend.roles.values()}
    aws = {p.arn for p in backend.aws_managed_policies}
    return [p for p in policies
            if p.arn not in aws or p.attachment_count > 0 or p.arn in boundaries]


def set_user_boundary(user: Any, arn: str | None) -> None:
    user.permissions_boundary_arn = arn
    user.permissions_boundary = ({"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                  "PermissionsBoundaryArn": arn} if arn else None)


def put_user_permissions_boundary(self: IamResponse) -> ActionResult:
    arn = self._get_param("PermissionsBoundary")
    if not arn or arn not in self.backend.managed_policies:
        raise ValidationError(f"Value ({arn}) for parameter PermissionsBoundary is invalid.")
    set_user_boundary(self.backend.get_user(self._get_param("UserName")), arn)
    return ActionResult({})


def delete_user_permissions_boundary(self: IamResponse) -> ActionResult:
    set_user_boundary(self.backend.get_user(self._get_param("UserName")), None)
    return ActionResult({})


def control_user_created(account_id: str, body: dict[str, Any]) -> dict[str, Any]:
    user = iam_backends[account_id]["aws"].get_user(str(body["userName"]))
    created = datetime.fromisoformat(str(body["createdAt"]).replace("Z", "+00:00"))
    user.create_date = created.astimezone(timezone.utc).replace(microsecond=0)
    return {"userName": user.name, "createdAt": user.create_date.isoformat()}


def seed_policies_and_roles(backend: IAMBackend, body: dict[str, Any]) -> None:
    for spec in body.get("policies") or []:
        backend.create_policy(description="", path="/", policy_document=json.dumps(spec["document"]),
                              policy_name=spec["name"], tags=[])
    for spec in body.get("roles") or []:
        backend.create_role(role_name=spec["name"], assume_role_policy_document=json.dumps(
            spec["trust"]), path="/", permissions_boundary=None, description="", tags=[],
            max_session_duration="3600", linked_service=None)
        for arn in spec.get("policies") or []:
            backend.attach_role_policy(arn, spec["name"])
        if spec.get("inline"):
            backend.put_role_policy(spec["name"], f"{spec['name']}-inline",
                                    json.dumps(spec["inline"]))


def login_profile_result(user: Any) -> ActionResult:
    created = getattr(user, "login_profile_created", None) or user.create_date
    return ActionResult({"LoginProfile": {"UserName": user.name, "CreateDate": created,
                                          "PasswordResetRequired": user.password_reset_required}})


def create_login_profile(self: IamResponse) -> ActionResult:
    user = self.backend.create_login_profile(self._get_param("UserName"),
                                             self._get_param("Password"))
    user.login_profile_created = utcnow().replace(microsecond=0)
    return login_profile_result(user)


def get_login_profile(self: IamResponse) -> ActionResult:
    return login_profile_result(self.backend.get_login_profile(self._get_param("UserName")))


def install_privilege_patches() -> None:
    details_before = IAMBackend.get_account_authorization_details

    def get_account_authorization_details(self: IAMBackend, policy_filter: list[str]) -> Any:
        details = dict(details_before(self, policy_filter))
        details["managed_policies"] = in_use_policies(self, details["managed_policies"])
        return details

    IAMBackend.get_account_authorization_details = get_account_authorization_details
    IamResponse.put_user_permissions_boundary = put_user_permissions_boundary
    IamResponse.delete_user_permissions_boundary = delete_user_permissions_boundary
    IamResponse.create_login_profile = create_login_profile
    IamResponse.get_login_profile = get_login_profile
    CONTROL["/moto-ext/user-created"] = control_user_created


# ---------------------------------------------------------------- control endpoints (e, f)
def control_root(account_id: str, body: dict[str, Any]) -> dict[str, Any]:
    root = account(account_id)["root"]
    devices = iam_backends[account_id]["aws"].virtual_mfa_devices
    if "virtualMfaSerial" in body:
        new, old = body["virtualMfaSerial"], root["virtualMfaSerial"]
        if new is not None and (new not in devices or devices[new].user is not None):
            raise ValueError(f"no unassigned virtual MFA device {new}; create it first")
        if old is not None and old != new and old in devices:
            devices[old].enable_date = None
        if new is not None and devices[new].enable_date is None:
            devices[new].enable_date = utcnow()
        root["virtualMfaSerial"] = new
    root.update({field: bool(body[field]) for field in ROOT_FLAGS if field in body})
    if "omitSummaryKeys" in body:
        root["omitSummaryKeys"] = [str(key) for key in body["omitSummaryKeys"]]
    return {"accountId": account_id, **root}


def control_expire(account_id: str, body: dict[str, Any]) -> dict[str, Any]:
    report = account(account_id)["report"]
    if report is None:
        raise ValueError(f"account {account_id} has no credential report")
    report["ready_at"] = min(report["ready_at"], time.time())  # finish a pending generation
    take_due_snapshots()
    report["generated"] = int(time.time()) - FOUR_HOURS - 60
    return {"accountId": account_id, "generatedTime": report["generated"]}


def control_seed_users(account_id: str, body: dict[str, Any]) -> dict[str, Any]:
    backend, acct = iam_backends[account_id]["aws"], account(account_id)
    users, seen = body.get("users") or [], set(backend.users)
    for user in users:
        name = user.get("name")
        if not isinstance(name, str) or name in seen or user.get("mfa", "none") not in MFA_KINDS:
            raise ValueError(f"invalid or duplicate user {json.dumps(user)}")
        seen.add(name)
    created = []
    for spec in users:
        user = backend.create_user("us-east-1", spec["name"], spec.get("path") or "/")
        if spec.get("consolePassword"):
            backend.create_login_profile(user.name, "Seeded-Passw0rd!")
        if spec.get("mfa") == "virtual":
            serial = backend.create_virtual_mfa_device(user.name, "/").serial_number
            backend.enable_mfa_device(user.name, serial, "123456", "654321")
        elif spec.get("mfa") == "hardware":
            acct["hardware_serials"] += 1
            serial = f"GAHT{acct['hardware_serials']:08d}"
            backend.enable_mfa_device(user.name, serial, "123456", "654321")
        created.append({"name": user.name, "userId": user.id, "arn": user.arn})
    return {"users": created}


def control_config_store(account_id: str, body: dict[str, Any]) -> dict[str, Any]:
    keep = body.get("keep")
    if keep not in KEEP_MODES:
        raise ValueError(f"keep must be one of {KEEP_MODES}")
    account(account_id)["keep"] = keep
    return {"accountId": account_id, "keep": keep}


CONTROL = {"/moto-ext/root": control_root, "/moto-ext/report/expire": control_expire,
           "/moto-ext/seed-users": control_seed_users,
           "/moto-ext/config-store": control_config_store}


COUNT_CALLS = os.environ.get("MOTO_EXT_COUNT_CALLS") == "1"
CALLS: dict[str, int] = {}
CALLS_LOCK = threading.Lock()


def count_call(environ: dict[str, Any]) -> None:
    """Counts one AWS request by operation; the body read here is handed on to moto unchanged."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        operation = target.rsplit(".", 1)[-1]
    else:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        query = parse_qs(body.decode("utf-8", "replace")) if body else {}
        query = query or parse_qs(environ.get("QUERY_STRING", ""))
        operation = (query.get("Action") or ["unknown"])[0]
    with CALLS_LOCK:
        CALLS[operation] = CALLS.get(operation, 0) + 1


class ExtensionApp:
    """WSGI app: /moto-ext/* is served here, everything else by moto's own dispatcher."""

    def __init__(self, moto_app: Any) -> None:
        self.moto_app = moto_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if not environ.get("PATH_INFO", "").startswith("/moto-ext/"):
            if COUNT_CALLS:
                count_call(environ)
            return self.moto_app(environ, start_response)
        request = Request(environ)
        status, payload = self.handle(request)
        response = Response(json.dumps(payload, default=str), status, mimetype="application/json")
        return response(environ, start_response)

    def handle(self, request: Request) -> tuple[int, Any]:
        if request.path == "/moto-ext/health":
            return 200, {"status": "ok"}
        if request.path == "/moto-ext/calls" and request.method == "GET":
            with CALLS_LOCK:
                counts = dict(CALLS)
                CALLS.clear()
            return 200, {"calls": counts}
        handler = CONTROL.get(request.path)
        if handler is None or request.method != "POST":
            return 404, {"error": f"unknown control endpoint {request.method} {request.path}"}
        try:
            body = json.loads(request.get_data() or b"{}")
            account_id = str(body.get("accountId", ""))
            if not re.fullmatch(r"\d{12}", account_id):
                raise ValueError("accountId must be a 12-digit string")
            with LOCK:
                take_due_snapshots()
                return 200, handler(account_id, body)
        except Exception as exc:  # a control call is test setup: report any failure as a 400
            return 400, {"error": f"{type(exc).__name__}: {exc}"}


def whole_second_users() -> None:
    """IAM reports a user's CreateDate in whole seconds; moto keeps microseconds, and the SDK rounds
    them to milliseconds, so a user created in the last half millisecond of a second was listed in
    the next one, one second after its credential report row: the rules took it for another user
    of the same name and checked it live (seen as 10-13 extra live checks at 5,000 users in a bench
    run). Created users keep whole seconds here, as in IAM."""
    moto_create_user = IAMBackend.create_user

    def create_user(self: IAMBackend, *args: Any, **kwargs: Any) -> Any:
        user = moto_create_user(self, *args, **kwargs)
        user.create_date = user.create_date.replace(microsecond=0)
        # IAM's form of a user's unique id (moto gives 20 lowercase characters): AIDA and 17
        # upper-case letters and digits 2-7, as the exemption registry and its CLI expect.
        user.id = "AIDA" + "".join(random.choice(ID_ALPHABET) for _ in range(17))
        return user

    IAMBackend.create_user = create_user


def install_patches() -> None:
    whole_second_users()
    IamResponse.call_action = iam_call_action
    IamResponse.list_users = list_users
    IamResponse.generate_credential_report = generate_credential_report
    IamResponse.get_credential_report = get_credential_report
    IamResponse.get_account_summary = get_account_summary
    IamResponse.list_virtual_mfa_devices = list_virtual_mfa_devices
    ConfigResponse.put_evaluations = put_evaluations
    ConfigResponse.get_compliance_details_by_config_rule = get_compliance_details_by_config_rule
    # (h) aggregators, issue 13
    ConfigResponse.describe_aggregate_compliance_by_config_rules = (
        describe_aggregate_compliance_by_config_rules)
    ConfigResponse.get_aggregate_compliance_details_by_config_rule = (
        get_aggregate_compliance_details_by_config_rule)
    CONTROL["/moto-ext/evaluations"] = control_evaluations
    moto_reset = MotoAPIBackend.reset

    def reset(self: MotoAPIBackend) -> None:
        with LOCK:
            STATE.clear()
            moto_reset(self)

    MotoAPIBackend.reset = reset
    install_hardware_mfa_patches()  # (i) iam-user-hardware-mfa
    install_privilege_patches()  # (j) privilege by policy content
    install_doctor_patches()  # (k) doctor, issue 19
    install_event_path_patches()  # (l) event path, issue 22


# ---------------------------------------------------------------- doctor, organization runs (k, issue 19)
# STS AssumeRole calls are recorded (RoleArn, Policy, the caller's access key) and served by
# GET /moto-ext/assume-role-calls (which starts them again from zero): moto does not apply a
# session policy, so the organization tests check the one each call carries.
# What `mfa-config-rules doctor` reads that moto 5.2.1 lacks:
#   Lambda GetAccountSettings (GET /2016-08-19/account-settings/): AccountLimit with the account's
#     ConcurrentExecutions quota (POST /moto-ext/lambda-concurrency {accountId, quota}; default
#     MOTO_LAMBDA_CONCURRENCY_QUOTA, as moto's PutFunctionConcurrency uses, else 1000) and
#     UnreservedConcurrentExecutions = quota - the reservations of the account's functions in the
#     request's Region;
#   Config DescribeConfigRuleEvaluationStatus: per rule moto holds, the invocation times and last
#     error set by POST /moto-ext/rule-status {accountId, region, rule, lastSuccessful?,
#     lastFailed? (epoch seconds), errorCode?, errorMessage?}; a rule with none set has no
#     invocation yet; a name moto does not hold is NoSuchConfigRuleException, as in AWS.
LAMBDA_QUOTAS: dict[str, int] = {}  # account id -> ConcurrentExecutions
RULE_STATUS: dict[tuple[str, str, str], dict[str, Any]] = {}  # (account, region, rule) -> status
ASSUME_ROLE_CALLS: list[dict[str, Any]] = []


def record_assume_role(environ: dict[str, Any]) -> None:
    """Records an STS AssumeRole request; the body read here is handed on to moto unchanged."""
    if environ.get("REQUEST_METHOD") != "POST" or environ.get("HTTP_X_AMZ_TARGET"):
        return
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    query = parse_qs(body.decode("utf-8", "replace"))
    if (query.get("Action") or [""])[0] != "AssumeRole":
        return
    key = re.search(r"Credential=([A-Z0-9]+)/", environ.get("HTTP_AUTHORIZATION", ""))
    with LOCK:
        ASSUME_ROLE_CALLS.append({"roleArn": (query.get("RoleArn") or [""])[0],
                                  "policy": (query.get("Policy") or [None])[0],
                                  "accessKey": key.group(1) if key else None})
ACCOUNT_SETTINGS_PATH = re.compile(r"^/2016-08-19/account-settings/?$")
REGION_IN_CREDENTIAL = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/")


def lambda_account_settings(environ: dict[str, Any]) -> dict[str, Any]:
    from moto.awslambda.models import lambda_backends
    from moto.iam.models import get_account_id_from
    auth = environ.get("HTTP_AUTHORIZATION", "")
    key = re.search(r"Credential=([A-Z0-9]+)/", auth)
    account_id = get_account_id_from(key.group(1) if key else "")
    region_match = REGION_IN_CREDENTIAL.search(auth)
    region = region_match.group(1) if region_match else "us-east-1"
    default = int(os.environ.get("MOTO_LAMBDA_CONCURRENCY_QUOTA", "1000"))
    with LOCK:
        quota = LAMBDA_QUOTAS.get(account_id, default)
    functions = lambda_backends[account_id][region].list_functions()
    reserved = sum(int(fn.reserved_concurrency or 0) for fn in functions)
    return {"AccountLimit": {"TotalCodeSize": 80530636800, "CodeSizeUnzipped": 262144000,
                             "CodeSizeZipped": 52428800, "ConcurrentExecutions": quota,
                             "UnreservedConcurrentExecutions": quota - reserved},
            "AccountUsage": {"TotalCodeSize": 0, "FunctionCount": len(functions)}}


def describe_config_rule_evaluation_status(self: ConfigResponse) -> str:
    body = json.loads(self.body or "{}")
    held = self.config_backend.config_rules
    names = body.get("ConfigRuleNames") or sorted(held)
    statuses = []
    for name in names:
        rule = held.get(name)
        if rule is None:
            raise cfx.NoSuchConfigRuleException(name)
        status: dict[str, Any] = {"ConfigRuleName": name, "ConfigRuleArn": rule.config_rule_arn,
                                  "ConfigRuleId": rule.config_rule_id, "FirstEvaluationStarted": False}
        with LOCK:
            stored = RULE_STATUS.get((self.current_account, self.region, name), {})
        for field, key in (("lastSuccessful", "LastSuccessfulInvocationTime"),
                           ("lastFailed", "LastFailedInvocationTime")):
            if stored.get(field) is not None:
                status[key] = stored[field]
                status["FirstEvaluationStarted"] = True
        for field, key in (("errorCode", "LastErrorCode"), ("errorMessage", "LastErrorMessage")):
            if stored.get(field):
                status[key] = stored[field]
        statuses.append(status)
    return json.dumps({"ConfigRulesEvaluationStatus": statuses})


def control_lambda_concurrency(account_id: str, body: dict[str, Any]) -> dict[str, Any]:
    quota = int(body["quota"])
    LAMBDA_QUOTAS[account_id] = quota
    return {"accountId": account_id, "quota": quota}


def control_rule_status(account_id: str, body: dict[str, Any]) -> dict[str, Any]:
    key = (account_id, str(body["region"]), str(body["rule"]))
    RULE_STATUS[key] = {k: body.get(k) for k in
                        ("lastSuccessful", "lastFailed", "errorCode", "errorMessage")}
    return {"stored": list(key)}


def install_doctor_patches() -> None:
    ConfigResponse.describe_config_rule_evaluation_status = describe_config_rule_evaluation_status
    CONTROL["/moto-ext/lambda-concurrency"] = control_lambda_concurrency
    CONTROL["/moto-ext/rule-status"] = control_rule_status
    app_call = ExtensionApp.__call__

    def call(self: ExtensionApp, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path == "/moto-ext/assume-role-calls" and environ.get("REQUEST_METHOD") == "GET":
            with LOCK:
                calls = list(ASSUME_ROLE_CALLS)
                ASSUME_ROLE_CALLS.clear()
            response = Response(json.dumps({"calls": calls}), 200, mimetype="application/json")
            return response(environ, start_response)
        if not path.startswith("/moto-ext/"):
            record_assume_role(environ)
        if (environ.get("REQUEST_METHOD") == "GET"
                and ACCOUNT_SETTINGS_PATH.match(path)):
            if COUNT_CALLS:
                with CALLS_LOCK:
                    CALLS["GetAccountSettings"] = CALLS.get("GetAccountSettings", 0) + 1
            response = Response(json.dumps(lambda_account_settings(environ)), 200,
                                mimetype="application/json")
            return response(environ, start_response)
        return app_call(self, environ, start_response)

    ExtensionApp.__call__ = call  # type: ignore[method-assign]
    reset_before = MotoAPIBackend.reset

    def reset(self: MotoAPIBackend) -> None:
        with LOCK:
            LAMBDA_QUOTAS.clear()
            RULE_STATUS.clear()
            ASSUME_ROLE_CALLS.clear()
            reset_before(self)

    MotoAPIBackend.reset = reset


# ---------------------------------------------------------------- event path (l, issue 22)
REEVALUATION_INTERVAL = int(os.environ.get("MOTO_EXT_REEVALUATION_INTERVAL_MS", "60000")) / 1000
REEVALUATIONS: list[dict[str, Any]] = []
LAST_STARTED: dict[tuple[str, str, str], float] = {}


def start_config_rules_evaluation(self: ConfigResponse) -> str:
    body = json.loads(self.body or "{}")
    names = body.get("ConfigRuleNames") or []
    if not isinstance(names, list) or not 1 <= len(names) <= 25:
        raise invalid("ConfigRuleNames must name 1 to 25 rules")
    held = self.config_backend.config_rules
    now = time.time()
    with LOCK:
        for name in names:
            if name not in held:
                raise cfx.NoSuchConfigRuleException(name)
        for name in names:
            last = LAST_STARTED.get((self.current_account, self.region, name))
            if last is not None and now - last < REEVALUATION_INTERVAL:
                raise cfx.JsonRESTError(
                    "LimitExceededException",
                    "an evaluation is in progress or StartConfigRulesEvaluation was called more "
                    "than once per minute")
        for name in names:
            LAST_STARTED[(self.current_account, self.region, name)] = now
        REEVALUATIONS.append({"accountId": self.current_account, "region": self.region,
                              "rules": list(names), "at": now})
    return "{}"


def install_event_path_patches() -> None:
    ConfigResponse.start_config_rules_evaluation = start_config_rules_evaluation
    app_call = ExtensionApp.__call__

    def call(self: ExtensionApp, environ: dict[str, Any], start_response: Any) -> Any:
        if (environ.get("PATH_INFO", "") == "/moto-ext/reevaluations"
                and environ.get("REQUEST_METHOD") == "GET"):
            with LOCK:
                taken = list(REEVALUATIONS)
                REEVALUATIONS.clear()
            response = Response(json.dumps({"reevaluations": taken}), 200,
                                mimetype="application/json")
            return response(environ, start_response)
        return app_call(self, environ, start_response)

    ExtensionApp.__call__ = call  # type: ignore[method-assign]
    reset_before = MotoAPIBackend.reset

    def reset(self: MotoAPIBackend) -> None:
        with LOCK:
            REEVALUATIONS.clear()
            LAST_STARTED.clear()
            reset_before(self)

    MotoAPIBackend.reset = reset


def main() -> None:
    parser = argparse.ArgumentParser(description="moto_server with MFA-rule extensions")
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    parser.add_argument("--watch-stdin", action="store_true", help="exit when stdin closes")
    args = parser.parse_args()
    install_patches()
    if os.environ.get("MOTO_EXT_VERBOSE") != "1":  # werkzeug logs every request otherwise
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if args.watch_stdin:  # the parent holds our stdin pipe: EOF means it died, so we go too
        threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    app = ExtensionApp(DomainDispatcherApplication(create_backend_app))
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
