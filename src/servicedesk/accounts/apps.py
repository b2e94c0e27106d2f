from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "servicedesk.accounts"
    label = "accounts"

    def ready(self) -> None:
        from allauth.account.decorators import secure_admin_login
        from django.contrib import admin

        # The admin's own login form knows nothing of rate limits or the second factor: send it to /login/.
        admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
