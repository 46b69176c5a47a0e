"""Every change in safety supervision.

Each service checks that the actor may make the change, validates the whole change, then
saves it in one transaction with the audit log attributing it to the actor (check,
execute, audit). Invalid input raises ``ValidationError`` naming the field; a refused
actor ``PermissionDenied``. Pages, the API and the commands all call these.

Who does what: the supervision lead (and the bureau admin) keeps checklists, plans and
draws, reviews and publishes inspections, handles complaints and incidents, and keeps
the credit archives; an inspector records only the inspections assigned to them and
verifies their rectifications; an operator answers rectification orders and reports
incidents of their own institution; anyone may complain.

One module per area; every service is importable from this package.
"""

from tuoyu.supervision.services.cases import (
    complaint_handle,
    complaint_submit,
    credit_event_record,
    incident_close,
    incident_report,
)
from tuoyu.supervision.services.checklists import (
    checklist_create,
    checklist_item_add,
    checklist_set_active,
    conflict_declare,
    conflict_remove,
)
from tuoyu.supervision.services.common import CITY_LEVEL, MANUAL_CREDIT_KINDS, is_supervisor
from tuoyu.supervision.services.draws import (
    plan_create,
    plan_draw,
    plan_publish,
    plan_rosters,
)
from tuoyu.supervision.services.inspections import (
    attachment_add,
    conclusion_of,
    inspection_create,
    inspection_publish,
    inspection_record,
    inspection_return,
    inspections_publish_due,
)
from tuoyu.supervision.services.rectification import (
    order_submit,
    order_verify,
    orders_escalate_overdue,
)
from tuoyu.supervision.services.staff import (
    barred_add,
    barred_refusal,
    staff_credit_record,
    staff_find,
)

__all__ = [
    "CITY_LEVEL",
    "MANUAL_CREDIT_KINDS",
    "attachment_add",
    "barred_add",
    "barred_refusal",
    "checklist_create",
    "checklist_item_add",
    "checklist_set_active",
    "complaint_handle",
    "complaint_submit",
    "conclusion_of",
    "conflict_declare",
    "conflict_remove",
    "credit_event_record",
    "incident_close",
    "incident_report",
    "inspection_create",
    "inspection_publish",
    "inspection_record",
    "inspection_return",
    "inspections_publish_due",
    "is_supervisor",
    "order_submit",
    "order_verify",
    "orders_escalate_overdue",
    "plan_create",
    "plan_draw",
    "plan_publish",
    "plan_rosters",
    "staff_credit_record",
    "staff_find",
]
