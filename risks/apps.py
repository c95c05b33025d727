from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = "Risks and mitigation actions"

    def ready(self):
        # Question threads sit below this app: tell them how to find a finding.
        from discussions.subjects import register_subject
        from risks.selectors.findings import finding_subject

        register_subject("finding", finding_subject)
