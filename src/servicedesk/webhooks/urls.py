from django.urls import URLPattern, URLResolver, path

from servicedesk.webhooks import views

app_name = "webhooks"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.subscriptions, name="subscriptions"),
    path("new/", views.subscription_new, name="subscription_new"),
    path("<int:pk>/", views.subscription, name="subscription"),
    path("<int:pk>/test/", views.send_test, name="send_test"),
    path("<int:pk>/secret/", views.rotate_secret, name="rotate_secret"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/deliveries/<int:delivery_pk>/", views.delivery, name="delivery"),
    path("<int:pk>/deliveries/<int:delivery_pk>/redeliver/", views.redeliver, name="redeliver"),
]
