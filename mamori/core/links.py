"""Many-to-many links read as ids from their link tables.

The API shows each linked object by its id, and the change log records a link change as the
ids before and after. Prefetching the linked rows instead builds a queryset per object and
relation, a model instance per linked row, and joins the link table to the linked model's
table: a join PostgreSQL's planner hashes over the whole linked table when that table has no
statistics yet (straight after a bulk load). The ids alone are one query per relation on the
link table's own unique (owner, linked) index, with no join and no instances.
"""

# Where an object keeps the ids read for it by attach_linked_ids: {field name: LinkedIds}.
ATTRIBUTE = "_linked_ids"


class LinkedIds(list):
    """The ids of the objects linked to one object through one many-to-many field, in id
    order (the order the API and the change log list links in, however they were read)."""


def link_columns(field) -> tuple:
    """The link table of a forward many-to-many `field`, and its owner's and its linked
    object's id columns (attnames)."""
    through = field.remote_field.through
    return (through, through._meta.get_field(field.m2m_field_name()).attname,
            through._meta.get_field(field.m2m_reverse_field_name()).attname)


def ids_linked(field, owners, using: str = "default") -> dict:
    """{owner id: LinkedIds} for each of `owners` (ids) through `field`, in one query."""
    through, source, target = link_columns(field)
    links = {pk: LinkedIds() for pk in owners}
    rows = (through._base_manager.using(using).filter(**{f"{source}__in": list(owners)})
            .order_by(source, target).values_list(source, target))
    for owner, linked in rows:
        links[owner].append(linked)
    return links


def attach_linked_ids(objects, names) -> None:
    """Read the ids linked to `objects` (a page of one model's records) through each
    many-to-many field in `names`, one query per field, for linked_ids to answer."""
    objects = [obj for obj in objects if obj.pk is not None]
    if not objects or not names:
        return
    meta = type(objects[0])._meta
    for name in names:
        links = ids_linked(meta.get_field(name), {obj.pk for obj in objects},
                           objects[0]._state.db or "default")
        for obj in objects:
            obj.__dict__.setdefault(ATTRIBUTE, {})[name] = links[obj.pk]


def linked_ids(obj, name) -> LinkedIds | None:
    """The ids attach_linked_ids read for `obj` through `name`, or None if it did not."""
    return obj.__dict__.get(ATTRIBUTE, {}).get(name)
