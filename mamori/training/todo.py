"""The training a person has to do, on their My page: their open assignments with the way to
complete each (take the e-learning course, read the policy, attend a session, use the LMS)
and their recent completions with their certificates. Three bounded queries, however many
assignments there are."""

from django.utils import timezone

from mamori.core.scope import VIEW
from mamori.training.models import Assignment, ClassroomSession, Completion, Course

SHOWN = 20
RECENT = 5
SESSIONS_PER_COURSE = 2


def my_page_panel(request, person):
    user = request.user
    assignments = list(
        Assignment.objects.restrict(user, VIEW)
        .filter(person=person, status=Assignment.Status.OPEN)
        .select_related("programme__course__policy_document")
        .order_by("due_on", "pk")[:SHOWN])
    completions = list(
        Completion.objects.restrict(user, VIEW).filter(person=person)
        .select_related("course").order_by("-completed_on", "-pk")[:RECENT])
    if not assignments and not completions:
        return None
    classroom = {a.programme.course_id for a in assignments
                 if a.programme.course.kind == Course.Kind.CLASSROOM}
    sessions: dict[int, list] = {}
    if classroom:
        upcoming = (ClassroomSession.objects.restrict(user, VIEW)
                    .filter(course_id__in=classroom, starts_at__gte=timezone.now())
                    .order_by("starts_at", "pk")[:SESSIONS_PER_COURSE * len(classroom) * 5])
        for session in upcoming:
            listed = sessions.setdefault(session.course_id, [])
            if len(listed) < SESSIONS_PER_COURSE:
                listed.append(session)
    today = timezone.localdate()
    return {
        "assignments": [(a, a.programme.course, sessions.get(a.programme.course_id, []))
                        for a in assignments],
        "completions": completions,
        "today": today,
    }
