"""Business continuity (policy Art 10): the processes the company must keep running, what
each depends on, the plans that recover them and the exercises that prove the plans work."""

from mamori.continuity.models.exercises import (  # noqa: F401
    ContinuityPlan,
    Exercise,
    ExerciseResult,
    RecoveryStep,
)
from mamori.continuity.models.invocations import PlanInvocation  # noqa: F401
from mamori.continuity.models.processes import (  # noqa: F401
    AssetRecovery,
    BusinessProcess,
    Dependency,
    GapAcceptance,
    ImpactAnalysis,
    ImpactCategory,
)
from mamori.continuity.models.settings import ContinuitySettings  # noqa: F401
