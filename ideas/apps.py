from django.apps import AppConfig


class IdeasConfig(AppConfig):
    name = "ideas"

    def ready(self) -> None:
        from ideas.exports import PROJECT_EXPORT_COLUMNS
        from ideas.selectors import project_origin_panel
        from projects.extensions import (
            ProjectPanel,
            project_export_columns_register,
            project_panel_register,
        )

        # The project export names the idea a project came from (never its submitter).
        project_export_columns_register(PROJECT_EXPORT_COLUMNS)
        # The project page links back to the idea it came from, for those who may read it.
        project_panel_register(ProjectPanel(name="ideas.origin",
                                            template="ideas/_project_origin.html",
                                            context=project_origin_panel))
