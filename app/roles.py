"""The roles of domain.md: the lanes of the diagrams and the groups of the inbox."""
ROLES: dict[str, tuple[str, str]] = {
    "customer_dept": ("Customer relations", "客户部"),
    "service_manager": ("After-sales service manager", "售后服务经理"),
    "workshop_supervisor": ("Workshop supervisor", "车间主管"),
    "technical_supervisor": ("Technical supervisor", "技术主管"),
    "business_supervisor": ("Business supervisor", "业务主管"),
    "parts_manager": ("Parts manager", "配件经理"),
    "claims_supervisor": ("Warranty-claims supervisor", "索赔主管"),
    "general_manager": ("General manager", "总经理"),
    "branch_engineer": ("Branch repair engineer", "分公司维修工程师"),
    "branch_manager": ("Branch manager", "分公司经理"),
    "department_head": ("Head of customer service", "客户服务部部长"),
    "logistics_clerk": ("Logistics clerk", "后勤专员"),
    "repair_technician": ("Repair team", "维修组"),
    "process_owner": ("Process owner", "流程负责人"),
    "admin": ("Administrator", "系统管理员"),
}

# The departments a complaint can be assigned to (category "other" names one of them).
DEPARTMENT_ROLES = ["workshop_supervisor", "business_supervisor", "parts_manager", "claims_supervisor"]


def role_label(key: str, lang: str) -> str:
    en, zh = ROLES.get(key, (key, key))
    return en if lang == "en" else zh
