import { z } from 'zod';
import {
  CreateCustomFieldInput,
  CreateCustomerInput,
  CreateOrganizationInput,
  CreateSkillInput,
  CreateTeamInput,
  CreateUserInput,
  CustomFieldOut,
  CustomerOut,
  ListCustomersQuery,
  ListUsersQuery,
  OrganizationOut,
  SetTeamMembersInput,
  SetUserSkillsInput,
  SkillOut,
  TeamOut,
  UpdateCustomFieldInput,
  UpdateCustomerInput,
  UpdateOrganizationInput,
  UpdateSkillInput,
  UpdateTeamInput,
  UpdateUserInput,
  UserOut,
  pageOf,
  pageQuery,
  uuid,
} from '@guichet/contracts';
import * as core from '@guichet/core';
import {
  presentCustomField,
  presentCustomer,
  presentOrganization,
  presentSkill,
  presentTeam,
  presentUser,
} from '../presenters.ts';
import type { Router } from '../route.ts';

const IdParams = z.object({ id: uuid });
const NameQuery = pageQuery.extend({ q: z.string().trim().max(200).optional() });

export function peopleRoutes(route: Router): void {
  // ---- staff ----
  route({
    method: 'GET', url: '/users', tag: 'Users', summary: 'List agents, light agents and admins',
    query: ListUsersQuery, response: pageOf(UserOut),
    handler: async ({ deps, ctx, query }) => {
      const page = await core.listUsers(deps, ctx, query);
      return { items: page.items.map(presentUser), nextCursor: page.nextCursor };
    },
  });
  route({
    method: 'POST', url: '/users', tag: 'Users', summary: 'Add a staff member (admin)',
    body: CreateUserInput, response: UserOut,
    handler: async ({ deps, ctx, body }) => presentUser(await core.createUser(deps, ctx, body)),
  });
  route({
    method: 'GET', url: '/users/{id}', tag: 'Users', summary: 'Read a staff member',
    params: IdParams, response: UserOut,
    handler: async ({ deps, ctx, params }) => presentUser(await core.getUser(deps, ctx, params.id)),
  });
  route({
    method: 'PATCH', url: '/users/{id}', tag: 'Users', summary: 'Change a staff member (admin; anyone for their own name, password, locale)',
    params: IdParams, body: UpdateUserInput, response: UserOut,
    handler: async ({ deps, ctx, params, body }) => presentUser(await core.updateUser(deps, ctx, params.id, body)),
  });
  route({
    method: 'PUT', url: '/users/{id}/skills', tag: 'Users', summary: 'Set a staff member\'s skills and proficiency (1–5)',
    params: IdParams, body: SetUserSkillsInput, response: UserOut,
    handler: async ({ deps, ctx, params, body }) => presentUser(await core.setUserSkills(deps, ctx, params.id, body)),
  });

  // ---- customers ----
  route({
    method: 'GET', url: '/customers', tag: 'Customers', summary: 'List and search customers',
    query: ListCustomersQuery, response: pageOf(CustomerOut),
    handler: async ({ deps, ctx, query }) => {
      const page = await core.listCustomers(deps, ctx, query);
      return { items: page.items.map(presentCustomer), nextCursor: page.nextCursor };
    },
  });
  route({
    method: 'POST', url: '/customers', tag: 'Customers', summary: 'Add a customer',
    body: CreateCustomerInput, response: CustomerOut,
    handler: async ({ deps, ctx, body }) => presentCustomer(await core.createCustomer(deps, ctx, body)),
  });
  route({
    method: 'GET', url: '/customers/{id}', tag: 'Customers', summary: 'Read a customer',
    params: IdParams, response: CustomerOut,
    handler: async ({ deps, ctx, params }) => presentCustomer(await core.getCustomer(deps, ctx, params.id)),
  });
  route({
    method: 'PATCH', url: '/customers/{id}', tag: 'Customers', summary: 'Change a customer',
    params: IdParams, body: UpdateCustomerInput, response: CustomerOut,
    handler: async ({ deps, ctx, params, body }) => presentCustomer(await core.updateCustomer(deps, ctx, params.id, body)),
  });

  // ---- organizations ----
  route({
    method: 'GET', url: '/organizations', tag: 'Organizations', summary: 'List organizations',
    query: NameQuery, response: pageOf(OrganizationOut),
    handler: async ({ deps, ctx, query }) => {
      const page = await core.listOrganizations(deps, ctx, query);
      return { items: page.items.map(presentOrganization), nextCursor: page.nextCursor };
    },
  });
  route({
    method: 'POST', url: '/organizations', tag: 'Organizations', summary: 'Add an organization (its email domains attach new customers to it)',
    body: CreateOrganizationInput, response: OrganizationOut,
    handler: async ({ deps, ctx, body }) => presentOrganization(await core.createOrganization(deps, ctx, body)),
  });
  route({
    method: 'GET', url: '/organizations/{id}', tag: 'Organizations', summary: 'Read an organization',
    params: IdParams, response: OrganizationOut,
    handler: async ({ deps, ctx, params }) => presentOrganization(await core.getOrganization(deps, ctx, params.id)),
  });
  route({
    method: 'PATCH', url: '/organizations/{id}', tag: 'Organizations', summary: 'Change an organization',
    params: IdParams, body: UpdateOrganizationInput, response: OrganizationOut,
    handler: async ({ deps, ctx, params, body }) => presentOrganization(await core.updateOrganization(deps, ctx, params.id, body)),
  });

  // ---- teams ----
  route({
    method: 'GET', url: '/teams', tag: 'Teams', summary: 'List teams with their members',
    query: pageQuery, response: pageOf(TeamOut),
    handler: async ({ deps, ctx, query }) => {
      const page = await core.listTeams(deps, ctx, query);
      return { items: page.items.map(presentTeam), nextCursor: page.nextCursor };
    },
  });
  route({
    method: 'POST', url: '/teams', tag: 'Teams', summary: 'Create a team (admin)',
    body: CreateTeamInput, response: TeamOut,
    handler: async ({ deps, ctx, body }) => presentTeam(await core.createTeam(deps, ctx, body)),
  });
  route({
    method: 'GET', url: '/teams/{id}', tag: 'Teams', summary: 'Read a team',
    params: IdParams, response: TeamOut,
    handler: async ({ deps, ctx, params }) => presentTeam(await core.getTeam(deps, ctx, params.id)),
  });
  route({
    method: 'PATCH', url: '/teams/{id}', tag: 'Teams', summary: 'Rename or describe a team (admin)',
    params: IdParams, body: UpdateTeamInput, response: TeamOut,
    handler: async ({ deps, ctx, params, body }) => presentTeam(await core.updateTeam(deps, ctx, params.id, body)),
  });
  route({
    method: 'DELETE', url: '/teams/{id}', tag: 'Teams', summary: 'Delete a team; its tickets keep no team (admin)',
    params: IdParams,
    handler: async ({ deps, ctx, params }) => {
      await core.deleteTeam(deps, ctx, params.id);
      return undefined;
    },
  });
  route({
    method: 'PUT', url: '/teams/{id}/members', tag: 'Teams', summary: 'Set the members of a team and who leads it (admin)',
    params: IdParams, body: SetTeamMembersInput, response: TeamOut,
    handler: async ({ deps, ctx, params, body }) => presentTeam(await core.setTeamMembers(deps, ctx, params.id, body)),
  });

  // ---- skills ----
  route({
    method: 'GET', url: '/skills', tag: 'Skills', summary: 'List skills',
    query: pageQuery, response: pageOf(SkillOut),
    handler: async ({ deps, ctx, query }) => {
      const page = await core.listSkills(deps, ctx, query);
      return { items: page.items.map(presentSkill), nextCursor: page.nextCursor };
    },
  });
  route({
    method: 'POST', url: '/skills', tag: 'Skills', summary: 'Create a skill (admin)',
    body: CreateSkillInput, response: SkillOut,
    handler: async ({ deps, ctx, body }) => presentSkill(await core.createSkill(deps, ctx, body)),
  });
  route({
    method: 'GET', url: '/skills/{id}', tag: 'Skills', summary: 'Read a skill',
    params: IdParams, response: SkillOut,
    handler: async ({ deps, ctx, params }) => presentSkill(await core.getSkill(deps, ctx, params.id)),
  });
  route({
    method: 'PATCH', url: '/skills/{id}', tag: 'Skills', summary: 'Rename or describe a skill (admin)',
    params: IdParams, body: UpdateSkillInput, response: SkillOut,
    handler: async ({ deps, ctx, params, body }) => presentSkill(await core.updateSkill(deps, ctx, params.id, body)),
  });
  route({
    method: 'DELETE', url: '/skills/{id}', tag: 'Skills', summary: 'Delete a skill and every proficiency in it (admin)',
    params: IdParams,
    handler: async ({ deps, ctx, params }) => {
      await core.deleteSkill(deps, ctx, params.id);
      return undefined;
    },
  });

  // ---- custom fields ----
  route({
    method: 'GET', url: '/custom-fields', tag: 'Custom fields', summary: 'List ticket custom fields',
    response: z.object({ items: z.array(CustomFieldOut) }),
    handler: async ({ deps, ctx }) => ({ items: (await core.listCustomFields(deps, ctx)).map(presentCustomField) }),
  });
  route({
    method: 'POST', url: '/custom-fields', tag: 'Custom fields', summary: 'Define a ticket custom field (admin)',
    body: CreateCustomFieldInput, response: CustomFieldOut,
    handler: async ({ deps, ctx, body }) => presentCustomField(await core.createCustomField(deps, ctx, body)),
  });
  route({
    method: 'PATCH', url: '/custom-fields/{id}', tag: 'Custom fields', summary: 'Change or deactivate a custom field (admin)',
    params: IdParams, body: UpdateCustomFieldInput, response: CustomFieldOut,
    handler: async ({ deps, ctx, params, body }) => presentCustomField(await core.updateCustomField(deps, ctx, params.id, body)),
  });
}
