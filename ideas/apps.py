from django.apps import AppConfig


class IdeasConfig(AppConfig):
    name = "ideas"

    def ready(self) -> None:
        from ideas.exports import PROJECT_EXPORT_COLUMNS
        from projects.extensions import project_export_columns_register

        # The project export names the idea a project came from (never its submitter).
        project_export_columns_register(PROJECT_EXPORT_COLUMNS)
