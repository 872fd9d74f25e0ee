import { randomUUID } from 'node:crypto';
import type {
  ActivityType,
  Company,
  Deal,
  Lead,
  Person,
  PipedriveState,
  Plan,
  Stage,
  User,
  VisibleTo,
} from './state.ts';

/**
 * The sandbox's starting data: a demo company with an admin and two regular users (one of whom owns
 * a private deal the others may not see), and a second company for isolation tests.
 */
export interface SeededCompany {
  company: Company;
  admin: User;
  users: User[];
  persons: Person[];
  deals: Deal[];
  leads: Lead[];
  stages: Stage[];
}

export interface SandboxSeed {
  demo: SeededCompany;
  other: SeededCompany;
}

const ACTIVITY_TYPES: [string, string, string][] = [
  ['Call', 'call', 'call'],
  ['Meeting', 'meeting', 'meeting'],
  ['Task', 'task', 'task'],
  ['Deadline', 'deadline', 'deadline'],
  ['Email', 'email', 'email'],
  ['Lunch', 'lunch', 'lunch'],
];

const STAGES = ['Qualified', 'Contact made', 'Demo scheduled', 'Proposal made', 'Negotiations started'];

export function seedPipedrive(state: PipedriveState): SandboxSeed {
  const demo = seedCompany(state, {
    name: 'Acme Demo',
    domain: 'acme-demo',
    plan: 'lite',
    users: [
      { name: 'Ada Admin', email: 'ada@acme.test', isAdmin: true },
      { name: 'Sam Seller', email: 'sam@acme.test', isAdmin: false },
      { name: 'Rita Rep', email: 'rita@acme.test', isAdmin: false },
    ],
    persons: [
      { name: 'Maria Gomez', phone: '+34 600 111 222', owner: 1, visibleTo: 3 },
      { name: 'John Carter', phone: '+1 415 555 0101', owner: 0, visibleTo: 3 },
      { name: 'Lucas Silva', phone: '+55 11 91234-5678', owner: 2, visibleTo: 1 },
    ],
    deals: [
      { title: 'Website redesign', person: 0, owner: 1, visibleTo: 3 },
      { title: 'Carter expansion', person: 1, owner: 0, visibleTo: 3 },
      { title: 'Silva private deal', person: 2, owner: 2, visibleTo: 1 },
    ],
  });
  const other = seedCompany(state, {
    name: 'Globex Corp',
    domain: 'globex',
    plan: 'growth',
    users: [
      { name: 'Gina Globex', email: 'gina@globex.test', isAdmin: true },
      { name: 'Otto Other', email: 'otto@globex.test', isAdmin: false },
    ],
    persons: [{ name: 'Hank Scorpio', phone: '+1 212 555 0199', owner: 0, visibleTo: 3 }],
    deals: [{ title: 'Globex doomsday device', person: 0, owner: 0, visibleTo: 3 }],
  });
  return { demo, other };
}

export interface CompanySpec {
  name: string;
  domain: string;
  plan: Plan;
  users: { name: string; email: string; isAdmin: boolean }[];
  /** `owner` indexes into `users`. */
  persons: { name: string; phone: string; owner: number; visibleTo: VisibleTo }[];
  /** `person` indexes into `persons`, `owner` into `users`. */
  deals: { title: string; person: number; owner: number; visibleTo: VisibleTo }[];
}

export function seedCompany(state: PipedriveState, spec: CompanySpec): SeededCompany {
  const now = state.clock.now();
  const company: Company = {
    id: state.nextId('company'),
    name: spec.name,
    domain: spec.domain,
    plan: spec.plan,
    seats: spec.users.length,
    country: 'US',
    currency: 'USD',
  };
  state.companies.set(company.id, company);

  const users = spec.users.map((u): User => {
    const user: User = {
      id: state.nextId('user'),
      companyId: company.id,
      name: u.name,
      email: u.email,
      isAdmin: u.isAdmin,
      active: true,
      locale: 'en_US',
      timezoneName: 'Europe/Madrid',
      timezoneOffset: '+01:00',
      defaultCurrency: 'USD',
      roleId: 1,
      createdAt: now,
    };
    state.users.set(user.id, user);
    return user;
  });
  const userAt = (index: number): User => users[index] ?? (users[0] as User);

  const pipelineId = state.nextId('pipeline');
  state.pipelines.set(pipelineId, {
    id: pipelineId,
    companyId: company.id,
    name: 'Sales pipeline',
    orderNr: 1,
    isDealProbabilityEnabled: false,
    addTime: now,
    updateTime: now,
    isDeleted: false,
  });
  const stages = STAGES.map((name, index): Stage => {
    const stage: Stage = {
      id: state.nextId('stage'),
      companyId: company.id,
      pipelineId,
      name,
      orderNr: index + 1,
      dealProbability: 100,
      addTime: now,
      updateTime: now,
      isDeleted: false,
    };
    state.stages.set(stage.id, stage);
    return stage;
  });

  ACTIVITY_TYPES.forEach(([name, keyString, iconKey], index) => {
    const type: ActivityType = {
      id: state.nextId('activityType'),
      companyId: company.id,
      name,
      keyString,
      iconKey,
      color: null,
      orderNr: index + 1,
      isCustom: false,
      active: true,
      addTime: now,
      updateTime: now,
    };
    state.activityTypes.set(type.id, type);
  });

  for (const [name, key, fieldType] of [
    ['Name', 'name', 'varchar'],
    ['Phone', 'phone', 'phone'],
    ['Email', 'email', 'varchar'],
    ['Owner', 'owner_id', 'user'],
    ['Organization', 'org_id', 'org'],
  ] as const) {
    const id = state.nextId('personField');
    state.personFields.set(id, {
      id,
      companyId: company.id,
      key,
      name,
      fieldType,
      isCustom: false,
      addTime: now,
      updateTime: now,
    });
  }

  for (const [entity, map, fields] of [
    [
      'deal',
      state.dealFields,
      [
        ['Title', 'title', 'varchar'],
        ['Value', 'value', 'double'],
        ['Person', 'person_id', 'people'],
        ['Organization', 'org_id', 'org'],
      ],
    ],
    [
      'organization',
      state.organizationFields,
      [
        ['Name', 'name', 'varchar'],
        ['Address', 'address', 'varchar'],
        ['Owner', 'owner_id', 'user'],
      ],
    ],
  ] as const) {
    for (const [name, key, fieldType] of fields) {
      const id = state.nextId('personField');
      map.set(id, {
        id,
        companyId: company.id,
        entity,
        key,
        name,
        fieldType,
        isCustom: false,
        addTime: now,
        updateTime: now,
      });
    }
  }

  for (const [name, color] of [
    ['Hot', 'red'],
    ['Warm', 'yellow'],
    ['Cold', 'blue'],
  ] as const) {
    const id = randomUUID();
    state.leadLabels.set(id, { id, companyId: company.id, name, color, addTime: now, updateTime: now });
  }

  const persons = spec.persons.map((p): Person => {
    const [firstName = null, ...rest] = p.name.split(' ');
    const person: Person = {
      id: state.nextId('person'),
      companyId: company.id,
      name: p.name,
      firstName,
      lastName: rest.length > 0 ? rest.join(' ') : null,
      ownerId: userAt(p.owner).id,
      orgId: null,
      phones: [{ value: p.phone, label: 'mobile', primary: true }],
      emails: [],
      visibleTo: p.visibleTo,
      labelIds: [],
      customFields: {},
      addTime: now,
      updateTime: now,
      isDeleted: false,
    };
    state.persons.set(person.id, person);
    return person;
  });

  const firstStage = stages[0] as Stage;
  const deals = spec.deals.map((d): Deal => {
    const owner = userAt(d.owner);
    const deal: Deal = {
      id: state.nextId('deal'),
      companyId: company.id,
      title: d.title,
      ownerId: owner.id,
      creatorUserId: owner.id,
      personId: persons[d.person]?.id ?? null,
      orgId: null,
      pipelineId,
      stageId: firstStage.id,
      value: 1000,
      currency: 'USD',
      status: 'open',
      visibleTo: d.visibleTo,
      customFields: {},
      addTime: now,
      updateTime: now,
      isDeleted: false,
    };
    state.deals.set(deal.id, deal);
    return deal;
  });

  return { company, admin: userAt(0), users, persons, deals, leads: [], stages };
}
