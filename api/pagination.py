"""Page-number pagination for every list: ``?page=`` and ``?page_size=`` (1 to 200)."""

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        """A page size that is not a whole number from 1 to 200 is a 400 (DRF would quietly
        use the default)."""
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        if (
            len(values) > 1
            or not values[0].isdigit()
            or not 1 <= int(values[0]) <= self.max_page_size
        ):
            raise ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return int(values[0])

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters
