from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects and memberships"

    def ready(self):
        # Single sign-on (accounts, below this app) signs up someone it does not know when
        # project invitations wait for their address: tell it how to find and accept them.
        from accounts.sso import register_invitations
        from projects.services.invitations import invitations_accept_all, invitations_pending_for

        register_invitations(
            pending=lambda email: invitations_pending_for(email).exists(),
            accept=lambda user: invitations_accept_all(acting_user=user),
        )
