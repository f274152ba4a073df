from core.api.serializers import DescribedModelSerializer, ambito_field, related_text

from ..models import Assignment


class AssignmentSerializer(DescribedModelSerializer):
    ambito = ambito_field("action.objective.plan.zone_plan.ambito_id")
    dimension_code = related_text("dimension.code", "Codice della dimensione.")
    code_code = related_text("code.code", "Codice assegnato.")
    code_label = related_text("code.label", "Etichetta del codice.")

    class Meta:
        model = Assignment
        fields = ["id", "ambito", "action", "line", "dimension_code", "code_code", "code_label",
                  "share", "status", "reason"]
