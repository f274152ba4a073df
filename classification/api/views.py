from core.api.viewsets import ScopedReadOnlyViewSet

from .. import filtersets
from ..models import Assignment
from . import serializers


class AssignmentViewSet(ScopedReadOnlyViewSet):
    """Classificazioni della spesa: i codici di ogni azione (riga vuota) e di ogni riga che
    la sovrascrive, per dimensione (area di utenza, macro-area ISTAT, gestione, LEPS, area
    FNPS), con la quota in percentuale (una riga ripartita somma 100) e lo stato
    (proposta o confermata). La storia di ogni classificazione è in `{id}/history/`.
    """

    queryset = Assignment.objects.select_related(
        "dimension", "code", "action__objective__plan__zone_plan"
    )
    serializer_class = serializers.AssignmentSerializer
    filterset_class = filtersets.AssignmentFilterSet
    ordering_fields = ["id"]
