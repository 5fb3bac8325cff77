from rest_framework.routers import SimpleRouter

from mamori.training.api import views

router = SimpleRouter()
router.register("courses", views.CourseViewSet, basename="course")
router.register("questions", views.QuestionViewSet, basename="question")
router.register("sessions", views.ClassroomSessionViewSet, basename="classroomsession")
router.register("programmes", views.ProgrammeViewSet, basename="programme")
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("completions", views.CompletionViewSet, basename="completion")
router.register("attempts", views.QuizAttemptViewSet, basename="quizattempt")
router.register("settings", views.TrainingSettingsViewSet, basename="trainingsettings")
urlpatterns = router.urls
