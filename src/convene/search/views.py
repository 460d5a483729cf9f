from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import selectors


@login_required
def search(request):
    q = request.GET.get("q", "")
    results = selectors.search(request.user, q)
    return render(
        request,
        "search/results.html",
        {"results": results, "q": results.query, "min_query": selectors.MIN_QUERY, "nav": "search"},
    )
