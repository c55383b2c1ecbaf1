"""moto_server (moto 5.2.1) with the gaps our MFA rules need filled, for tests, demo and bench.

Usage: python3 test/moto/server.py --host 127.0.0.1 --port PORT [--watch-stdin]

Extensions (state is kept per account id and wiped by POST /moto-api/reset):
  a. Config PutEvaluations: moto only accepts TestMode=true. We validate like AWS (1..100
     evaluations, required members, ComplianceType COMPLIANT|NON_COMPLIANT|NOT_APPLICABLE -- AWS
     documents that INSUFFICIENT_DATA is refused from PutEvaluations --, Annotation 1..256 chars,
     an empty one is an InvalidParameterValueException) and store the newest evaluation (by
     OrderingTimestamp, ties replace) per resource under the rule named by the ResultToken text
     before its first "/". TestMode validates only. Stored per account and region, as Config is.
  b. Config GetComplianceDetailsByConfigRule: not in moto. Serves what (a) stored, sorted by
     (ResourceType, ResourceId), ComplianceTypes filter, Limit (0 = default 10, max 100),
     NextToken. An unknown rule yields an empty list (moto cannot host Lambda-backed rules).
  c. IAM ListUsers: moto ignores MaxItems/Marker. We sort users by name and page them (MaxItems
     1..1000, default 100; IsTruncated + opaque Marker). MOTO_EXT_SHORT_PAGES=1 caps every page
     at 7 users, as real IAM may return short pages.
  d. Credential report: moto rebuilds the CSV on every read and dates it 2015. Here Generate
     answers STARTED (no report, or report older than 4 h) / INPROGRESS / COMPLETE; the CSV is a
     snapshot taken when generation completes, MOTO_EXT_REPORT_DELAY_MS (default 300) after
     STARTED. The snapshot is taken lazily before the first IAM/control request after that
     instant, so it equals the state at that instant. GetCredentialReport raises ReportNotPresent
     (410), ReportInProgress (404) or ReportExpired (410). Rows keep moto's User.to_csv format
     (names with commas are not quoted) after a <root_account> row, as AWS puts it first.
  e. Root account: moto has no root and AccountMFAEnabled is always 0. POST /moto-ext/root sets
     what GetAccountSummary reports, can assign a virtual MFA device to root (shown by
     ListVirtualMFADevices with the root ARN) and can omit summary keys.
  f. Control endpoints (JSON in/out): POST /moto-ext/root, /moto-ext/report/expire,
     /moto-ext/seed-users (bulk users created in-process: thousands per second);
     GET /moto-ext/health.
  g. Accounts: moto derives the account from the access key (AssumeRole keys map to the role's
     account); patched handlers use self.current_account, control endpoints take accountId.
"""

import argparse, base64, json, logging, os, re, sys, threading, time
from datetime import datetime, timezone
from typing import Any

try:
    from werkzeug.serving import run_simple
    from werkzeug.wrappers import Request, Response
    from moto.config import exceptions as cfx
    from moto.config.responses import ConfigResponse
    from moto.core.responses import ActionResult, BaseResponse
    from moto.core.utils import utcnow
    from moto.iam.exceptions import IAMException, ReportNotPresentException, ValidationError
    from moto.iam.models import iam_backends
    from moto.iam.responses import IamResponse
    from moto.moto_api._internal.models import MotoAPIBackend
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
except ImportError as err:  # the TS helper turns exit code 3 into a one-line hint
    print(f"moto_server not available: {err}", file=sys.stderr)
    sys.exit(3)

FOUR_HOURS = 4 * 3600
REPORT_DELAY = int(os.environ.get("MOTO_EXT_REPORT_DELAY_MS", "300")) / 1000
SHORT_PAGES = os.environ.get("MOTO_EXT_SHORT_PAGES") == "1"
SHORT_PAGE_SIZE = 7
ROOT_NAME = "<root_account>"
VERDICTS = ("COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE")
ALL_TYPES = VERDICTS + ("INSUFFICIENT_DATA",)
CSV_HEADER = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"  # fmt: skip
ROOT_DEFAULTS = {"mfaEnabled": False, "passwordPresent": True, "accessKeysPresent": False,
                 "signingCertificatesPresent": False, "virtualMfaSerial": None, "omitSummaryKeys": []}  # fmt: skip

LOCK = threading.RLock()
STATE: dict[str, dict[str, Any]] = {}


def account(account_id: str) -> dict[str, Any]:
    with LOCK:
        if account_id not in STATE:
            STATE[account_id] = {"root": dict(ROOT_DEFAULTS), "report": None, "evals": {},
                                 "hw": 0, "created": utcnow()}  # fmt: skip
        return STATE[account_id]


def iam(account_id: str) -> Any:
    return iam_backends[account_id]["aws"]


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def root_row(account_id: str, acct: dict[str, Any]) -> str:
    r, created = acct["root"], iso(acct["created"])
    keys, certs = ("true", created) if r["accessKeysPresent"] else ("false", "N/A"), r["signingCertificatesPresent"]  # fmt: skip
    return ",".join([ROOT_NAME, f"arn:aws:iam::{account_id}:root", created, "not_supported",
                     "no_information" if r["passwordPresent"] else "N/A", "not_supported", "not_supported",
                     "true" if r["mfaEnabled"] else "false", keys[0], keys[1], "N/A", "N/A", "N/A",
                     "false", "N/A", "N/A", "N/A", "N/A", "true" if certs else "false",
                     created if certs else "N/A", "false", "N/A"]) + "\n"  # fmt: skip


def materialize_reports() -> None:
    """Take the snapshot of every report whose generation finished (called before any change)."""
    now = time.time()
    with LOCK:
        for account_id, acct in STATE.items():
            rep = acct["report"]
            if rep and rep["content"] is None and now >= rep["ready_at"]:
                users = list(iam(account_id).users.values())
                rep["content"] = CSV_HEADER + root_row(account_id, acct) + "".join(u.to_csv() for u in users)  # fmt: skip
                rep["generated"] = int(rep["ready_at"])


def b64(obj: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode()


def unb64(token: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(token.encode()))


# ---------------------------------------------------------------- IAM patches (c, d, e)
_orig_call_action = BaseResponse.call_action


def iam_call_action(self: IamResponse) -> Any:
    materialize_reports()
    return _orig_call_action(self)


def list_users(self: IamResponse) -> ActionResult:
    max_items = int(self._get_param("MaxItems") or 100)
    if not 1 <= max_items <= 1000:
        raise ValidationError("MaxItems must be between 1 and 1000")
    users = sorted(self.backend.list_users(self._get_param("PathPrefix"), None, None),
                   key=lambda u: (u.name.lower(), u.name))  # fmt: skip
    if marker := self._get_param("Marker"):
        try:
            after = tuple(unb64(marker))
        except Exception:
            raise ValidationError("Invalid Marker.")
        users = [u for u in users if (u.name.lower(), u.name) > after]
    size = min(max_items, SHORT_PAGE_SIZE) if SHORT_PAGES else max_items
    page, truncated = users[:size], len(users) > size
    result: dict[str, Any] = {"Users": page, "IsTruncated": truncated}
    if truncated:
        result["Marker"] = b64([page[-1].name.lower(), page[-1].name])
    return ActionResult(result)


def generate_credential_report(self: IamResponse) -> ActionResult:
    now = time.time()
    with LOCK:
        acct = account(self.current_account)
        rep = acct["report"]
        if rep is None or (rep["content"] is not None and now - rep["generated"] >= FOUR_HOURS):
            acct["report"] = {"ready_at": now + REPORT_DELAY, "content": None, "generated": None}
            return ActionResult({"State": "STARTED", "Description": "No report exists. Starting a new report generation task"})  # fmt: skip
        return ActionResult({"State": "INPROGRESS" if rep["content"] is None else "COMPLETE"})


def get_credential_report(self: IamResponse) -> ActionResult:
    with LOCK:
        rep = account(self.current_account)["report"]
    if rep is None:
        raise ReportNotPresentException("Credential report not present. Call GenerateCredentialReport first.")  # fmt: skip
    if rep["content"] is None:
        raise IAMException("ReportInProgress", "Credential report is still being generated.")
    if time.time() - rep["generated"] >= FOUR_HOURS:
        raise IAMException("ReportExpired", "Credential report is older than 4 hours; generate a new one.")  # fmt: skip
    generated = datetime.fromtimestamp(rep["generated"], tz=timezone.utc)
    return ActionResult({"Content": rep["content"], "ReportFormat": "text/csv", "GeneratedTime": generated})  # fmt: skip


def get_account_summary(self: IamResponse) -> ActionResult:
    summary = dict(self.backend.account_summary.summary_map)
    root = account(self.current_account)["root"]
    for key, flag in (("AccountMFAEnabled", "mfaEnabled"), ("AccountPasswordPresent", "passwordPresent"),
                      ("AccountAccessKeysPresent", "accessKeysPresent"),
                      ("AccountSigningCertificatesPresent", "signingCertificatesPresent")):  # fmt: skip
        summary[key] = 1 if root[flag] else 0
    for key in root["omitSummaryKeys"]:
        summary.pop(key, None)
    return ActionResult({"SummaryMap": summary})


def list_virtual_mfa_devices(self: IamResponse) -> ActionResult:
    devices, marker = self.backend.list_virtual_mfa_devices(
        self._get_param("AssignmentStatus", "Any"), self._get_param("Marker"), self._get_param("MaxItems", 100))  # fmt: skip
    acct_id = self.current_account
    acct = account(acct_id)
    root_user = {"Path": "/", "UserName": ROOT_NAME, "UserId": acct_id,
                 "Arn": f"arn:aws:iam::{acct_id}:root", "CreateDate": acct["created"]}  # fmt: skip
    out = [{"SerialNumber": d.serial_number, "User": root_user, "EnableDate": d.enable_date}
           if d.serial_number == acct["root"]["virtualMfaSerial"] else d for d in devices]  # fmt: skip
    return ActionResult({"VirtualMFADevices": out, "IsTruncated": bool(marker), "Marker": marker})


# ---------------------------------------------------------------- Config patches (a, b)
def config_body(self: ConfigResponse) -> dict[str, Any]:
    return json.loads(self.body or "{}")


def parse_ts(value: Any) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def put_evaluations(self: ConfigResponse) -> str:
    body = config_body(self)
    evaluations, token = body.get("Evaluations"), body.get("ResultToken")
    if not isinstance(evaluations, list) or not 1 <= len(evaluations) <= 100:
        raise cfx.ValidationException("1 validation error detected: Value at 'evaluations' failed to satisfy constraint: Member must have length between 1 and 100")  # fmt: skip
    for i, ev in enumerate(evaluations, start=1):
        for member in ("ComplianceResourceType", "ComplianceResourceId", "ComplianceType", "OrderingTimestamp"):  # fmt: skip
            if ev.get(member) in (None, ""):
                raise cfx.ValidationException(f"1 validation error detected: Value null at 'evaluations.{i}.member.{member[0].lower() + member[1:]}' failed to satisfy constraint: Member must not be null")  # fmt: skip
        if ev["ComplianceType"] not in VERDICTS:
            raise cfx.InvalidParameterValueException(f"The ComplianceType '{ev['ComplianceType']}' is not supported by PutEvaluations; use COMPLIANT, NON_COMPLIANT or NOT_APPLICABLE.")  # fmt: skip
        note = ev.get("Annotation")
        if note is not None and len(note) == 0:
            raise cfx.InvalidParameterValueException("The annotation cannot be empty.")
        if note is not None and len(note) > 256:
            raise cfx.ValidationException(f"1 validation error detected: Value at 'evaluations.{i}.member.annotation' failed to satisfy constraint: Member must have length less than or equal to 256")  # fmt: skip
    if token is None:
        raise cfx.ValidationException("1 validation error detected: Value null at 'resultToken' failed to satisfy constraint: Member must not be null")  # fmt: skip
    rule = str(token).split("/", 1)[0]
    if not rule:
        raise cfx.InvalidResultTokenException()
    if body.get("TestMode"):
        return json.dumps({"FailedEvaluations": []})
    now = time.time()
    with LOCK:
        store = account(self.current_account)["evals"].setdefault((self.region, rule), {})
        for ev in evaluations:
            key, ts = (ev["ComplianceResourceType"], ev["ComplianceResourceId"]), parse_ts(ev["OrderingTimestamp"])  # fmt: skip
            if key not in store or ts >= store[key]["ts"]:
                store[key] = {"ts": ts, "type": ev["ComplianceType"], "note": ev.get("Annotation"), "at": now}  # fmt: skip
    return json.dumps({"FailedEvaluations": []})


def get_compliance_details_by_config_rule(self: ConfigResponse) -> str:
    body = config_body(self)
    rule, types = body.get("ConfigRuleName"), body.get("ComplianceTypes") or []
    limit = body.get("Limit") or 10
    if not rule:
        raise cfx.ValidationException("1 validation error detected: Value null at 'configRuleName' failed to satisfy constraint: Member must not be null")  # fmt: skip
    if any(t not in ALL_TYPES for t in types):
        raise cfx.ValidationException(f"Value '{types}' at 'complianceTypes' failed to satisfy constraint: Member must satisfy enum value set: {list(ALL_TYPES)}")  # fmt: skip
    if not isinstance(limit, int) or not 0 <= limit <= 100:
        raise cfx.ValidationException(f"Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100")  # fmt: skip
    with LOCK:
        store = dict(account(self.current_account)["evals"].get((self.region, rule), {}))
    keys = sorted(k for k, v in store.items() if not types or v["type"] in types)
    if token := body.get("NextToken"):
        try:
            after = tuple(unb64(token))
        except Exception:
            raise cfx.InvalidNextTokenException()
        keys = [k for k in keys if k > after]
    results = []
    for res_type, res_id in keys[:limit]:
        item = store[(res_type, res_id)]
        qualifier = {"ConfigRuleName": rule, "ResourceType": res_type, "ResourceId": res_id, "EvaluationMode": "DETECTIVE"}  # fmt: skip
        result = {"EvaluationResultIdentifier": {"EvaluationResultQualifier": qualifier, "OrderingTimestamp": item["ts"]},
                  "ComplianceType": item["type"], "ResultRecordedTime": item["at"], "ConfigRuleInvokedTime": item["at"]}  # fmt: skip
        if item["note"] is not None:
            result["Annotation"] = item["note"]
        results.append(result)
    out: dict[str, Any] = {"EvaluationResults": results}
    if len(keys) > limit:
        out["NextToken"] = b64(list(keys[limit - 1]))
    return json.dumps(out)


# ---------------------------------------------------------------- control endpoints (e, f)
def ctl_root(acct_id: str, body: dict[str, Any]) -> dict[str, Any]:
    acct, backend = account(acct_id), iam(acct_id)
    root = acct["root"]
    if "virtualMfaSerial" in body:
        new, old = body["virtualMfaSerial"], root["virtualMfaSerial"]
        device = backend.virtual_mfa_devices.get(new) if new is not None else None
        if new is not None and (device is None or device.user is not None):
            raise ValueError(f"virtual MFA device {new} does not exist or is assigned to a user")
        if old is not None and old != new and old in backend.virtual_mfa_devices:
            backend.virtual_mfa_devices[old].enable_date = None
        if device is not None and device.enable_date is None:
            device.enable_date = utcnow()
        root["virtualMfaSerial"] = new
    for key in ("mfaEnabled", "passwordPresent", "accessKeysPresent", "signingCertificatesPresent", "omitSummaryKeys"):  # fmt: skip
        if key in body:
            root[key] = list(body[key]) if key == "omitSummaryKeys" else bool(body[key])
    return {"accountId": acct_id, **root}


def ctl_expire(acct_id: str, body: dict[str, Any]) -> dict[str, Any]:
    rep = account(acct_id)["report"]
    if rep is None:
        raise ValueError(f"no credential report in account {acct_id}")
    rep["ready_at"] = min(rep["ready_at"], time.time())
    materialize_reports()
    rep["generated"] = int(time.time()) - FOUR_HOURS - 60
    return {"accountId": acct_id, "generatedTime": rep["generated"]}


def ctl_seed(acct_id: str, body: dict[str, Any]) -> dict[str, Any]:
    backend, acct, users = iam(acct_id), account(acct_id), body.get("users") or []
    for u in users:
        if not isinstance(u.get("name"), str) or u["name"] in backend.users or u.get("mfa", "none") not in ("none", "virtual", "hardware"):  # fmt: skip
            raise ValueError(f"bad or duplicate user: {json.dumps(u)}")
    out = []
    for u in users:
        user = backend.create_user("us-east-1", u["name"], u.get("path") or "/")
        if u.get("consolePassword"):
            backend.create_login_profile(user.name, "Seeded-Passw0rd!")
        if u.get("mfa") == "virtual":
            serial = backend.create_virtual_mfa_device(user.name, "/").serial_number
            backend.enable_mfa_device(user.name, serial, "123456", "654321")
        elif u.get("mfa") == "hardware":
            acct["hw"] += 1
            backend.enable_mfa_device(user.name, f"GAHT{acct['hw']:08d}", "123456", "654321")
        out.append({"name": user.name, "userId": user.id, "arn": user.arn})
    return {"users": out}


CONTROL = {"/moto-ext/root": ctl_root, "/moto-ext/report/expire": ctl_expire, "/moto-ext/seed-users": ctl_seed}  # fmt: skip


class ExtensionApp:
    """WSGI wrapper: /moto-ext/* is handled here, everything else by moto's dispatcher."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if not environ.get("PATH_INFO", "").startswith("/moto-ext/"):
            return self.inner(environ, start_response)
        req = Request(environ)

        def reply(status: int, payload: Any) -> Any:
            return Response(json.dumps(payload, default=str), status, mimetype="application/json")(environ, start_response)  # fmt: skip

        if req.path == "/moto-ext/health":
            return reply(200, {"status": "ok"})
        handler = CONTROL.get(req.path)
        if handler is None or req.method != "POST":
            return reply(404, {"error": f"unknown control endpoint {req.method} {req.path}"})
        try:
            body = json.loads(req.get_data() or b"{}")
            acct_id = str(body.get("accountId", ""))
            if not re.fullmatch(r"\d{12}", acct_id):
                raise ValueError("accountId must be a 12-digit string")
            with LOCK:
                materialize_reports()
                return reply(200, handler(acct_id, body))
        except Exception as exc:  # control API: report any problem as a 400 with a message
            return reply(400, {"error": f"{type(exc).__name__}: {exc}"})


def install() -> None:
    for name, fn in (("call_action", iam_call_action), ("list_users", list_users),
                     ("generate_credential_report", generate_credential_report),
                     ("get_credential_report", get_credential_report),
                     ("get_account_summary", get_account_summary),
                     ("list_virtual_mfa_devices", list_virtual_mfa_devices)):  # fmt: skip
        setattr(IamResponse, name, fn)
    ConfigResponse.put_evaluations = put_evaluations  # type: ignore[method-assign]
    ConfigResponse.get_compliance_details_by_config_rule = get_compliance_details_by_config_rule  # type: ignore[attr-defined]
    orig_reset = MotoAPIBackend.reset

    def reset(self: MotoAPIBackend) -> None:
        with LOCK:
            STATE.clear()
            orig_reset(self)

    MotoAPIBackend.reset = reset  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    parser.add_argument("--watch-stdin", action="store_true", help="exit when stdin closes (parent died)")  # fmt: skip
    args = parser.parse_args()
    install()
    if os.environ.get("MOTO_EXT_VERBOSE") != "1":
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if args.watch_stdin:
        threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    app = ExtensionApp(DomainDispatcherApplication(create_backend_app))
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
