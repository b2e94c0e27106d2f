"""The public "Ask us" form (/ask/): no sign-in."""

from django.urls import URLPattern, URLResolver, path

from servicedesk.ask import views

app_name = "ask"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.ask, name="ask"),
    path("thanks/<str:token>/", views.thanks, name="thanks"),
    path("embed/", views.embed, name="embed"),
    path("embed/thanks/<str:token>/", views.embed_thanks, name="embed_thanks"),
    path("embed.js", views.embed_js, name="embed_js"),
]
