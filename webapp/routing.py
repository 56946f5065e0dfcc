"""What an id in a URL looks like, for the HTML and the JSON routes alike.

`{task_id:id}` matches a plain number of at most 10 digits, so a path like
/tasks/0x1f or /tasks/<4,301 digits> matches no route at all (a 404) and never
reaches int() or the database; the services then refuse numbers above MAX_ID.
"""

from starlette.convertors import Convertor, register_url_convertor


class IdConvertor(Convertor[int]):
    regex = "[0-9]{1,10}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", IdConvertor())
