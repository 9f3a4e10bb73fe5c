"""People, teams and roles under Settings (included by users.urls, in its namespace)."""

from django.urls import path

from clientela.users import views

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/invite/", views.invite, name="people-invite"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/deactivate/", views.deactivate, name="person-deactivate"),
    path("people/<int:pk>/reactivate/", views.reactivate, name="person-reactivate"),
    path("people/<int:pk>/invitation/", views.resend_invitation, name="person-invitation"),
    path("teams/", views.create_team, name="team-create"),
    path("roles/", views.roles, name="roles"),
    path("roles/new/", views.role, name="role-create"),
    path("roles/<int:pk>/", views.role, name="role"),
]
