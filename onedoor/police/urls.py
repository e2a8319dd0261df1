from django.urls import path

from onedoor.police import views

app_name = "police"

urlpatterns = [
    path("police/transfers/", views.transfers, name="transfers"),
    path("police/transfers/<int:pk>/", views.batch, name="batch"),
    path("police/transfers/<int:pk>/errors.csv", views.batch_errors, name="batch_errors"),
    path("police/reviews/", views.reviews, name="reviews"),
    path("police/reviews/<int:pk>/", views.review, name="review"),
]
