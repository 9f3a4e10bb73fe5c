"""Order, invoice and shipment pages."""

from django.urls import path

from clientela.orders import views

app_name = "orders"
urlpatterns = [
    path("orders/", views.order_list, name="list"),
    path("orders/new/", views.order_create, name="create"),
    path("orders/new/customer/", views.order_customer, name="choose-customer"),
    path("orders/<int:pk>/", views.order_detail, name="detail"),
    path("orders/<int:pk>/stage/", views.order_move, name="move"),
    path("orders/<int:pk>/invoice/", views.invoice_create, name="invoice"),
    path("orders/<int:pk>/shipments/", views.shipment_create, name="ship"),
    path("invoices/<int:pk>/payments/", views.payment_create, name="payment"),
    path("invoices/<int:pk>/credit-note/", views.credit_note_create, name="credit-note"),
    path("invoices/<int:pk>/pdf/", views.invoice_download, name="invoice-pdf"),
    path("shipments/<int:pk>/status/", views.shipment_status, name="shipment-status"),
]
