"""Console pages of the credential report: generate, download, history with diffs, credential-health dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from directory.reports import health, services
from directory.reports.diff import compare
from directory.reports.housekeeping import unused_access_key_count
from directory.reports.reading import csv_response
from iam_console.console.mixins import ConsoleView
from iam_console.errors import IAMError, NoSuchEntity

HISTORY_PAGE = 50
DIFF_SHOWN = 1000
BAR_WIDTH = 360


def _chart_rows(chart: health.Chart, report_id: int) -> list[dict]:
    top = chart.maximum or 1
    return [{"bucket": bucket, "label": label, "count": count, "y": index * 34,
             "width": round(BAR_WIDTH * count / top) if count else 0, "report_id": report_id}
            for index, (bucket, label, count) in enumerate(chart.bars)]


class CredentialReportView(ConsoleView):
    nav = "credential-report"

    def get(self, request: HttpRequest) -> HttpResponse:
        history = services.list_credential_reports(caller=self.caller, max_items=HISTORY_PAGE,
                                                   marker=request.GET.get("marker") or None)
        account = self.caller.account_id
        newest = services.newest_report(account)
        context: dict = {"history": history.items, "next_marker": history.marker, "newest": newest,
                         "job": services.job_in_progress(account), "unused_flagged": unused_access_key_count(account)}
        if newest is not None:
            users, charts = health.charts(newest)
            context.update(users=users, charts=[{"chart": chart, "rows": _chart_rows(chart, newest.pk),
                                                 "height": len(chart.bars) * 34} for chart in charts])
        return self.render("reports/credential_report.html", context)

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            result = services.generate_credential_report(caller=self.caller)
        except IAMError as error:
            messages.error(request, f"{error.code}: {error.message}")
        else:
            text = {"STARTED": "Generating a new credential report; refresh in a few seconds.",
                    "INPROGRESS": "A credential report is being generated; refresh in a few seconds.",
                    "COMPLETE": "The newest report is under four hours old: it is current."}[result.state]
            messages.success(request, text)
        return redirect("console:credential-report")


class CredentialReportDownloadView(ConsoleView):
    def get(self, request: HttpRequest, report_id: int) -> HttpResponse:
        return csv_response(services.get_credential_report(caller=self.caller, report_id=report_id))


class CredentialReportDiffView(ConsoleView):
    nav = "credential-report"

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            old_id, new_id = int(request.GET.get("from", "")), int(request.GET.get("to", ""))
        except ValueError:
            raise NoSuchEntity("Choose two reports to compare.") from None
        old = services.get_credential_report(caller=self.caller, report_id=old_id)
        new = services.get_credential_report(caller=self.caller, report_id=new_id)
        if old.generated_at > new.generated_at:
            old, new = new, old
        changes = compare(old.pk, new.pk)
        return self.render("reports/diff.html", {"old": old, "new": new, "changes": changes[:DIFF_SHOWN],
                                                 "total": len(changes), "shown": DIFF_SHOWN})


class CredentialReportBucketView(ConsoleView):
    nav = "credential-report"

    def get(self, request: HttpRequest, report_id: int) -> HttpResponse:
        report = services.get_credential_report(caller=self.caller, report_id=report_id)
        bucket = request.GET.get("bucket", "")
        if bucket not in health.BUCKET_LABELS:
            raise NoSuchEntity(f"Unknown dashboard group {bucket!r}.")
        rows = health.users_in(report, bucket)
        return self.render("reports/bucket.html", {"report": report, "label": health.BUCKET_LABELS[bucket],
                                                   "rows": rows[:DIFF_SHOWN], "total": len(rows),
                                                   "shown": DIFF_SHOWN})
