from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from servicedesk.accounts.models import Language, User


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, and for a signed-in user the choice is kept on the account (every device)."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in Language.values:
        User.objects.filter(pk=request.user.pk).update(language=language)
    return set_language(request)
