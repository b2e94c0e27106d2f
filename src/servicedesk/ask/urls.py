from django.urls import URLPattern, URLResolver

app_name = "ask"

urlpatterns: list[URLPattern | URLResolver] = []
