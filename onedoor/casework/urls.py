from django.urls import path

from onedoor.casework import views

app_name = "casework"

case = "cases/<str:reference>/casework/"
urlpatterns = [
    path("casework/", views.my_cases, name="my_cases"),
    path("casework/team/", views.team, name="team"),
    path("casework/alerts/", views.alerts, name="alerts"),
    path("casework/alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("casework/sessions/", views.sessions, name="sessions"),
    path("casework/shared/<str:reference>/", views.shared_summary, name="shared"),
    path("casework/waiting/<slug:slug>/", views.waiting_list, name="waiting_list"),
    path(case, views.case, name="case"),
    path(case + "contact/", views.contact, name="contact"),
    path(case + "unable-to-contact/", views.unable_to_contact, name="unable_to_contact"),
    path(case + "assessment/", views.assessment, name="assessment"),
    path(case + "plan/", views.plan, name="plan"),
    path(case + "goals/", views.goal_add, name="goal_add"),
    path(case + "goals/<int:goal_id>/", views.goal_note, name="goal_note"),
    path(case + "waiting/", views.waiting_add, name="waiting_add"),
    path(case + "waiting/check-in/<int:check_in_id>/", views.check_in, name="check_in"),
    path(case + "waiting/interim-support/", views.interim_support, name="interim_support"),
    path(case + "waiting/tell-position/", views.position_message, name="position_message"),
    path(case + "start-support/", views.start_support, name="start_support"),
    path(case + "measures/<slug:code>/", views.measure, name="measure"),
    path(case + "joint/", views.joint, name="joint"),
    path(case + "joint/<int:joint_id>/end/", views.joint_end, name="joint_end"),
    path(case + "onward/", views.onward, name="onward"),
    path(case + "onward/external/", views.onward_external, name="onward_external"),
    path(case + "transition/", views.transition, name="transition"),
    path(case + "modern-slavery/", views.slavery, name="slavery"),
    path(case + "modern-slavery/<int:record_id>/decision/", views.slavery_decision, name="slavery_decision"),
    path(case + "close/", views.close, name="close"),
    path(case + "reopen/", views.reopen, name="reopen"),
]
