"""What a feature's services raise when their rules refuse a request."""


class Refusal(Exception):
    """A request the rules refuse, in words for the person; `field` names the form field
    it belongs to (`forms.show_refusal` puts it there), or None for the whole form."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
