"""Invoice downloads: the customer's own (a guest by the signed link of the order), and staff whose role may."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from orders.emails import guest_order_from_token
from orders.models import Invoice
from orders.services.invoices import invoice_pdf_bytes
from privacy.access import access_record
from privacy.models import AccessLogEntry


def _may_read(request: HttpRequest, invoice: Invoice) -> bool:
    user = request.user
    if user.is_authenticated and user.has_perm("orders.view_invoice"):
        return True  # staff whose role includes invoices, behind their second factor (User.has_perm)
    if invoice.user_id:
        return user.is_authenticated and user.pk == invoice.user_id
    token = request.GET.get("t", "")
    return bool(token) and invoice.order_id is not None and guest_order_from_token(token) == str(invoice.order_id)


@never_cache
@require_safe
def invoice_download(request: HttpRequest, pk) -> HttpResponse:
    invoice = Invoice.objects.select_related("order").filter(order_id=pk, restricted_at__isnull=True).first()
    if invoice is None or not _may_read(request, invoice):
        raise Http404
    if request.user.is_authenticated and request.user.is_staff and request.user.pk != invoice.user_id:
        # Staff reading a customer's invoice: logged like any staff access to personal data (PIX-9).
        access_record(staff=request.user, records=[(invoice, invoice.user_id)], action=AccessLogEntry.Action.DOWNLOAD)
    # Not rendered yet (the task runs after the payment): render it now, store nothing here.
    handle = invoice.pdf.open("rb") if invoice.pdf else ContentFile(invoice_pdf_bytes(invoice))
    response = FileResponse(handle, content_type="application/pdf", as_attachment=True)
    response["Content-Disposition"] = f'attachment; filename="invoice-{invoice.number}.pdf"'
    return response


urlpatterns = [path("invoices/<uuid:pk>/", invoice_download, name="invoice_download")]
