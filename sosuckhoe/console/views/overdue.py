"""People overdue for their next dose, by name, for the officers who call them: the residents
of the picked unit the daily count found past their window, most overdue first."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.analytics.overdue_selectors import overdue_counted_days, overdue_page
from sosuckhoe.console.access import officer_view
from sosuckhoe.console.unit_pick import unit_pick
from sosuckhoe.supply.selectors import products_active


@require_safe
@officer_view
def overdue(request: HttpRequest) -> HttpResponse:
    """`?unit=` narrows to a unit below the officer's (a commune, for one commune's list);
    `?product=` to those whose last dose was of that vaccine; `?page=` the page."""
    pick = unit_pick(request)
    products = list(products_active())
    product = next((p for p in products if p.key == request.GET.get("product")), None)
    page = overdue_page(
        actor=Actor.of_request(request),
        unit=pick.unit,
        product=product,
        number=request.GET.get("page", 1),
    )
    today = timezone.localdate()
    context = {
        "pick": pick,
        "page": page,
        # Days past the last day of the window, as of today (the count judged them on its day).
        "rows": [(row, (today - row.due_by).days) for row in page.object_list],
        "products": products,
        "product": product,
        "counted": overdue_counted_days(unit=pick.unit),
    }
    return render(request, "console/overdue.html", context)
