from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "security"
    label = "pz_security"
    verbose_name = "Sicurezza"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from core.uploads import validate_act
        from governance.models import Deliberation

        from .sessions import stamp_login

        user_logged_in.connect(stamp_login, dispatch_uid="pz_security_stamp_login")
        # Attached acts are checked wherever a form saves them (admin or otherwise). The
        # validator goes on the field's computed list, not on its declared validators,
        # so the model's migrations do not change.
        act = Deliberation._meta.get_field("act")
        if validate_act not in act.validators:
            act.validators.append(validate_act)
