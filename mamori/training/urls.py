from django.urls import path

from mamori.core.modelurls import model_urls
from mamori.training import views
from mamori.training.models import (
    Assignment,
    ClassroomSession,
    Completion,
    Course,
    Programme,
    Question,
    QuizAttempt,
    TrainingSettings,
)

app_name = "training"

urlpatterns = [
    *model_urls("courses/", Course, views),
    *model_urls("questions/", Question, views),
    *model_urls("sessions/", ClassroomSession, views),
    *model_urls("programmes/", Programme, views),
    *model_urls("assignments/", Assignment, views),
    *model_urls("completions/", Completion, views),
    *model_urls("attempts/", QuizAttempt, views),
    *model_urls("settings/", TrainingSettings, views),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("courses/<int:pk>/take/", views.CourseTake.as_view(), name="course_take"),
    path("attempts/<int:pk>/answer/", views.QuizAttemptAnswer.as_view(),
         name="quizattempt_answer"),
    path("attempts/<int:pk>/result/", views.QuizAttemptResult.as_view(),
         name="quizattempt_result"),
    path("completions/<int:pk>/certificate/", views.CompletionCertificate.as_view(),
         name="completion_certificate"),
    path("sessions/<int:pk>/attendance/", views.ClassroomSessionAttendance.as_view(),
         name="classroomsession_attendance"),
]
